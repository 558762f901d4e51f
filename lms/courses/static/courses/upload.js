// Upload with a progress bar: the activity form is sent with XMLHttpRequest when it carries a file, so the
// instructor sees how far a large package has gone. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData) { return; }
  var box = form.querySelector(".upload-progress");
  var bar = form.querySelector(".upload-progress progress");
  var text = form.querySelector(".upload-progress-text");
  form.addEventListener("submit", function (event) {
    var files = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length;
    });
    if (!files.length) { return; }
    event.preventDefault();
    box.hidden = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round(100 * e.loaded / e.total);
        bar.value = percent;
        text.textContent = percent + " %";
      }
    });
    request.addEventListener("load", function () {
      var contentType = request.getResponseHeader("Content-Type") || "";
      if (request.status < 400 && contentType.indexOf("application/json") === 0) {
        window.location.href = JSON.parse(request.responseText).redirect;
      } else {
        document.open(); document.write(request.responseText); document.close();
      }
    });
    request.send(new FormData(form));
  });
})();
