// etuus progressive enhancement. Every page works without this file.
"use strict";

// The idle-timeout warning: a dialog a few minutes before the session ends,
// with a button to stay signed in (WCAG 2.2.1, Timing Adjustable).
(function () {
  var dialog = document.getElementById("idle-dialog");
  if (!dialog) return;
  var idle = Number(dialog.dataset.idle) * 1000;
  var warn = Number(dialog.dataset.warn) * 1000;
  var warnTimer, endTimer, before;

  function ended() { window.location.href = "/signed-out?reason=timeout"; }

  function schedule(leftMs) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(check, Math.max(0, leftMs - warn));
    endTimer = setTimeout(ended, leftMs);
  }

  function open() {
    if (!dialog.open) before = document.activeElement;
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    document.getElementById("idle-extend").focus();
  }

  // Another tab may have kept the session alive: ask before warning.
  function check() {
    fetch("/session/status", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.active) return ended();
        var left = s.seconds_left * 1000;
        if (left > warn + 5000) return schedule(left);
        schedule(left);
        clearTimeout(warnTimer);
        open();
      })
      .catch(open);
  }

  var form = dialog.querySelector('form[action="/session/extend"]');
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/session/extend", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error("extend failed");
      if (dialog.open && dialog.close) dialog.close(); else dialog.removeAttribute("open");
      // Back to where the person was before the warning.
      if (before && before.focus) before.focus();
      schedule(idle);
    }).catch(ended);
  });

  schedule(idle);
})();

// A refused form: focus moves to the error summary, whose links lead to
// the fields (the GOV.UK pattern).
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
