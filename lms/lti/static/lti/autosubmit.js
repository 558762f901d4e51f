(function () {
  "use strict";
  var script = document.currentScript;
  var form = script && document.getElementById(script.dataset.form);
  if (form) { form.submit(); }
}());
