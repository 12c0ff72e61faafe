// Tavolo's own behaviour for the pages (no inline scripts: the CSP forbids them).
// - copy buttons ([data-copy]): copy a read-only field to the clipboard, or say how to;
// - buttons that only work with JavaScript (.js-only) are shown once this file runs;
// - after an htmx swap, focus goes where the new content asks ([autofocus], handled by
//   htmx itself) or, failing that, stays inside the swapped region.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function announce(button, text) {
    var field = document.getElementById(button.dataset.copy);
    var status = field && document.getElementById(field.id + "-status");
    if (status) status.textContent = text;
  }

  async function copy(button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
      announce(button, button.dataset.copied);
    } catch (error) {
      // No clipboard (insecure origin, refused permission): select the text for Ctrl+C.
      field.focus();
      field.select();
      announce(button, button.dataset.failed);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) copy(button);
  });

  document.addEventListener("htmx:after:swap", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (typeof target === "string") target = document.querySelector(target);
    var region = target && document.contains(target) ? target : document.getElementById("main");
    var heading = region.querySelector("h2, h3") || region;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  });
})();
