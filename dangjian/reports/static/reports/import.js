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

  // A highlighted value in the source leads to the field it filled.
  var TARGETS = {
    chair: "#id_chair_name",
    date: "#id_starts_at",
    venue: "#id_venue",
    title: "#id_title",
    org: "#id_organization",
    meeting_type: "#id_kind",
  };

  function fieldFor(name) {
    var m = /^(study|measure|leader)-(\d+)$/.exec(name);
    if (m && m[1] === "study") return document.querySelector("[name='study-" + m[2] + "-action']");
    if (m && m[1] === "measure") return document.querySelector("#id_measure-" + m[2] + "-text");
    if (m) return document.querySelector("#id_invited_leaders_text");
    if (name === "chair" && document.querySelector("#id_chair").value) {
      return document.querySelector("#id_chair");
    }
    return TARGETS[name] ? document.querySelector(TARGETS[name]) : null;
  }

  function init() {
    document.querySelectorAll("[data-testid=source-text] mark[data-field]").forEach(function (mark) {
      mark.style.cursor = "pointer";
      mark.addEventListener("click", function () {
        var field = fieldFor(mark.dataset.field);
        if (!field) return;
        field.scrollIntoView({ block: "center", behavior: "smooth" });
        field.focus({ preventScroll: true });
      });
    });
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
