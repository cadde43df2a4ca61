// The import screen's step 2: show only the fields that matter for each choice
// (the topic picker when linking, the new topic's fields when creating; a task's lead
// unit and deadline when "create a task" is ticked). Without JavaScript everything shows.
(function () {
  "use strict";

  function syncStudy(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    var action = checked ? checked.value : "";
    row.querySelectorAll("[data-part]").forEach(function (part) {
      part.hidden = part.dataset.part !== action;
    });
  }

  function syncMeasure(row) {
    var box = row.querySelector("input[type=checkbox][name$='-task']");
    var target = row.querySelector("select[name$='-target']");
    var part = row.querySelector("[data-part=task]");
    if (box && part) part.hidden = !box.checked;
    if (box && target) {
      box.disabled = target.value === "skip";
      if (box.disabled) { box.checked = false; if (part) part.hidden = true; }
    }
  }

  function init() {
    document.querySelectorAll("[data-testid=study-row]").forEach(function (row) {
      syncStudy(row);
      row.addEventListener("change", function () { syncStudy(row); });
    });
    document.querySelectorAll("[data-testid=measure-row]").forEach(function (row) {
      syncMeasure(row);
      row.addEventListener("change", function () { syncMeasure(row); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
