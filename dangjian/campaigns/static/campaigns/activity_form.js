// "Another row" buttons of formsets (leaders present): copy the empty form from a
// <template>, numbering it with the formset's TOTAL_FORMS. No inline script.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", () => {
      const rows = document.getElementById(button.dataset.addRow);
      const template = document.getElementById(button.dataset.template);
      const total = document.getElementById(button.dataset.total);
      if (!rows || !template || !total) return;
      const n = parseInt(total.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
      total.value = String(n + 1);
    });
  });
});
