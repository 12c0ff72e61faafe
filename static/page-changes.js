// Tells the reader of a page (the synthesis, a statement's form, the pledges) that someone
// changed what it shows, as app/pages/changes.py explains: each [data-changes] region asks
// its address every twenty seconds while the tab is visible, and at once when the tab comes
// back; the first answer that is not "204, unchanged" (the notice, marked [data-changed])
// goes into the region, a polite live region, and the asking stops. Nothing else on the
// page is replaced, so what the reader is typing stays. Without JavaScript the page works
// as before, without the notice.
//
// Our own fetch rather than htmx's `every` trigger: pausing it in a hidden tab would need a
// filter expression, which our CSP (no eval) refuses; and an htmx swap moves the focus into
// the swapped region (tavolo.js), which a polite notice must never do.
(function () {
  "use strict";

  // Twenty seconds: a colleague's change is news soon enough, for three small queries a
  // minute per open page.
  var INTERVAL_MS = 20000;

  function watch(region) {
    var asking = false;
    var timer = null;

    async function check() {
      if (document.hidden || asking || region.querySelector("[data-changed]")) return;
      asking = true;
      try {
        // A redirect means signed out: stay silent rather than show the login page here.
        var response = await fetch(region.dataset.changes, { redirect: "manual", headers: { Accept: "text/html" } });
        if (response.status === 200) {
          region.innerHTML = await response.text();
          clearInterval(timer);
        }
      } catch (error) {
        // Offline for a moment: the next tick asks again.
      } finally {
        asking = false;
      }
    }

    timer = setInterval(check, INTERVAL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) check();
    });
  }

  document.querySelectorAll("[data-changes]").forEach(watch);
})();
