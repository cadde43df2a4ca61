// Meeting decisions to tasks: "add a row" clones the empty form of the formset.
document.getElementById("add-task-row").addEventListener("click", function () {
  var total = document.getElementById("id_tasks-TOTAL_FORMS");
  var n = parseInt(total.value, 10);
  var html = document.getElementById("task-form-template").innerHTML.replace(/__prefix__/g, n);
  var rows = document.getElementById("task-forms");
  rows.insertAdjacentHTML("beforeend", html);
  // The new row's member picker searches through htmx: let htmx see it.
  if (window.htmx) window.htmx.process(rows.lastElementChild);
  total.value = n + 1;
});
