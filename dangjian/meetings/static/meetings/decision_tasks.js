// Meeting decisions to tasks: "add a row" clones the empty form of the formset.
document.getElementById("add-task-row").addEventListener("click", function () {
  var total = document.getElementById("id_tasks-TOTAL_FORMS");
  var n = parseInt(total.value, 10);
  var html = document.getElementById("task-form-template").innerHTML.replace(/__prefix__/g, n);
  document.getElementById("task-forms").insertAdjacentHTML("beforeend", html);
  total.value = n + 1;
});
