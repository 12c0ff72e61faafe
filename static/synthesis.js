// The contribution picker of a synthesis statement (templates/synthesis_statement.html):
// a search field [data-filter] hides the contributions of its list that do not contain what
// is typed (ticked ones stay), and says how many are shown. Without JavaScript the whole
// list shows, and the field stays hidden (.js-only).
(function () {
  "use strict";

  function filter(field) {
    var list = document.getElementById(field.dataset.filter);
    if (!list) return;
    var needle = field.value.trim().toLowerCase();
    var shown = 0;
    list.querySelectorAll("[data-search]").forEach(function (choice) {
      var ticked = choice.querySelector("input:checked");
      var match = !needle || ticked || choice.dataset.search.indexOf(needle) !== -1;
      choice.hidden = !match;
      if (match) shown += 1;
    });
    var status = document.getElementById(field.id + "-status");
    if (status) {
      status.textContent = shown === 1 ? status.dataset.countOne
        : status.dataset.countMany.replace("{count}", String(shown));
    }
  }

  document.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest("[data-filter]");
    if (field) filter(field);
  });
})();
