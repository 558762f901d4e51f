/* LTI client-side Platform Storage (lti.put_data / lti.get_data) for browsers that block
   third-party cookies: the login secret is kept by the platform window instead of a cookie. */
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) { return; }
  var d = box.dataset;
  var parentWindow = window.parent || window.opener;
  var target = parentWindow;
  try {
    if (d.target && d.target !== "_parent" && parentWindow.frames[d.target]) { target = parentWindow.frames[d.target]; }
  } catch (e) { target = parentWindow; }
  var messageId = "tamkeen-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  var finished = false;
  var form = document.getElementById("lti-storage-form");

  function finish(value) {
    if (finished) { return; }
    finished = true;
    if (d.mode === "put") {
      window.location.replace(d.authUrl);
    } else {
      form.elements.lti_storage_secret.value = value || "";
      form.submit();
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== d.origin) { return; }
    var message = event.data || {};
    if (message.message_id !== messageId) { return; }
    if (message.subject === "lti.put_data.response" || message.subject === "lti.get_data.response") {
      finish(message.value);
    }
  });

  var payload = { subject: d.mode === "put" ? "lti.put_data" : "lti.get_data", message_id: messageId, key: d.key };
  if (d.mode === "put") { payload.value = d.value; }
  if (target && target !== window) {
    target.postMessage(payload, d.origin);
  }
  // A platform without storage support never answers: carry on (the cookie may still work).
  window.setTimeout(function () { finish(""); }, 3000);
}());
