// Agenda form: a text box filters the options of its topic list.
document.querySelectorAll("[data-topic-filter]").forEach(function (input) {
  var select = document.getElementById(input.dataset.topicFilter);
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (o) {
      o.hidden = q && !o.selected && o.text.toLowerCase().indexOf(q) === -1;
    });
  });
});
