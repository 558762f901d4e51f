/* Upload a SCORM package with a real progress bar (XMLHttpRequest upload progress events).
   Without JavaScript the form posts normally and the server answers the same page. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-scorm-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = form.querySelector(".scorm-progress");
  var bar = form.querySelector("progress");
  var text = form.querySelector("[data-progress-text]");
  var result = document.querySelector("[data-upload-result]");
  var button = form.querySelector("button[type=submit]");

  function say(template, percent) {
    text.textContent = (text.getAttribute("data-template-" + template) || "").replace("{percent}", percent);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    box.hidden = false;
    bar.value = 0;
    bar.removeAttribute("aria-valuetext");
    button.disabled = true;
    say("uploading", 0);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { bar.removeAttribute("value"); return; }
      var percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      say("uploading", percent);
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      say("processing", 100);
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.redirect) { window.location.assign(data.redirect); return; }
      box.hidden = true;
      if (data && data.html !== undefined) {
        result.innerHTML = data.html;
      } else if (data && data.error) {
        result.textContent = data.error.message;
      } else {
        say("failed", 0);
        box.hidden = false;
      }
      var heading = result.querySelector("h2, [role=alert]");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      say("failed", 0);
    });
    xhr.send(new FormData(form));
  });
})();
