// The therapist's pages: small helpers on top of plain HTML forms (everything
// works without this script). No inline scripts: the app runs under a strict CSP.
(function () {
  "use strict";

  // "Copy link": shown only where the script runs.
  function setUpCopyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var field = document.getElementById(button.dataset.copy);
        var status = button.parentElement.querySelector(".copy-status");
        var done = function () { if (status) status.textContent = button.dataset.copied; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            field.select();
          });
        } else {
          field.select();
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  // The editor opens one dose form at a time: opening another closes the open
  // ones that hold nothing typed (a form with changes stays, so nothing is lost).
  function changed(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return "defaultValue" in field && field.value !== field.defaultValue;
    });
  }

  function closeOtherForms(opened) {
    document.querySelectorAll(".program-item.is-editing").forEach(function (line) {
      var form = line.querySelector(".dose-form");
      if (line === opened || !form || changed(form)) return;
      form.remove();
      line.classList.remove("is-editing");
    });
  }

  // After htmx swaps a part of the page, put the keyboard where the therapist
  // left off: the element the response marks with data-focus. Only once the swap
  // has settled: until then htmx keeps the old element's classes on the new one
  // (a line's "Change" button would still be hidden as in its open form).
  document.addEventListener("htmx:afterSwap", function (event) {
    setUpCopyButtons(event.detail.target);
  });
  document.addEventListener("htmx:afterSettle", function () {
    var opened = document.querySelector(".program-item.is-editing [data-focus]");
    if (opened) closeOtherForms(opened.closest(".program-item"));
    var target = document.querySelector("[data-focus]");
    if (target) {
      target.focus();
      target.removeAttribute("data-focus");
    }
  });

  // "Print": a button only where the script runs (the browser's own print works anyway).
  function setUpPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPrintButtons(document);
    setUpCopyButtons(document);
  });
})();
