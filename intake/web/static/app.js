// Light progressive enhancement for the staff app. Every page works without it.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : null;

  // Typing a long note counts as activity, so the idle timeout does not lose the work.
  var lastPing = Date.now();
  function keepAlive() {
    if (!csrf || Date.now() - lastPing < 120000) return;
    lastPing = Date.now();
    fetch("/keepalive", { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
  }
  document.addEventListener("input", keepAlive);

  // Only a complaint has a stage and needs a definition: show those parts when relevant.
  function syncLabelParts(form) {
    var checked = form.querySelector("input[name='label']:checked");
    var complaint = checked && checked.value === "complaint";
    form.querySelectorAll("[data-complaint-only]").forEach(function (el) {
      el.hidden = !complaint;
    });
  }
  document.querySelectorAll("form[data-confirm-form]").forEach(function (form) {
    syncLabelParts(form);
    form.addEventListener("change", function () { syncLabelParts(form); });
  });

  // Move focus to an error so keyboard and screen-reader users hear it first.
  var error = document.querySelector(".error-summary");
  if (error) error.focus();
})();
