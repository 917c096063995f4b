/*
 * LVV-registratie: small progressive enhancements. Everything works without this file.
 * Loaded with `defer`; no inline scripts or styles anywhere (Content-Security-Policy friendly).
 *
 * - Moves the keyboard focus to a form's error summary ([data-lvv-error-summary]) when the page
 *   (or an htmx swap) shows one, so screen-reader and keyboard users hear what went wrong first.
 * - Asks for confirmation before following a link, pressing a button or submitting a form that has
 *   a data-confirm="Question?" attribute. (htmx elements can use hx-confirm instead.)
 */
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var scope = root && root.querySelector ? root : document;
    var summary = scope.matches && scope.matches("[data-lvv-error-summary]")
      ? scope
      : scope.querySelector("[data-lvv-error-summary]");
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  // Following a link in the summary: focus the field itself (not only scroll to it).
  function onSummaryLinkClick(event) {
    var link = event.target.closest && event.target.closest("[data-lvv-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    var group = target.closest(".utrecht-form-field, .utrecht-form-fieldset");
    (group || target).scrollIntoView({ block: "start" });
    target.focus();
  }

  function confirmMessage(element) {
    return element && element.getAttribute("data-confirm");
  }

  function onClick(event) {
    var trigger = event.target.closest && event.target.closest("a[data-confirm], button[data-confirm], input[data-confirm]");
    if (trigger && !window.confirm(confirmMessage(trigger))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  function onSubmit(event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-confirm]") && !window.confirm(confirmMessage(form))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  document.addEventListener("click", onSummaryLinkClick);
  // Capture phase, so a "no" also stops htmx and other handlers.
  document.addEventListener("click", onClick, true);
  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("htmx:afterSettle", function (event) {
    focusErrorSummary(event.detail && event.detail.elt);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  } else {
    focusErrorSummary(document);
  }
})();
