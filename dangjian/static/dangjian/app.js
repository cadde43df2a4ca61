// Behaviour without inline script (a strict Content Security Policy allows no inline code).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopPropagation();
  }
});
document.addEventListener("htmx:beforeSwap", (event) => {
  // Show server-side validation errors (422) instead of dropping them.
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// Tree toggles: the first click loads the children (htmx); later clicks fold and unfold.
document.addEventListener("htmx:beforeRequest", (event) => {
  const toggle = event.detail.elt;
  if (!toggle.classList || !toggle.classList.contains("dj-toggle")) return;
  const list = toggle.parentElement.querySelector(":scope > ul");
  if (toggle.getAttribute("aria-expanded") === "true") {
    event.preventDefault();
    list.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.firstElementChild.className = "bi bi-caret-right-fill";
  } else if (list && list.childElementCount > 0) {
    event.preventDefault();
    list.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    toggle.firstElementChild.className = "bi bi-caret-down-fill";
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const toggle = event.detail.elt;
  if (toggle.classList && toggle.classList.contains("dj-toggle") && event.detail.successful) {
    toggle.setAttribute("aria-expanded", "true");
    toggle.firstElementChild.className = "bi bi-caret-down-fill";
  }
});
// Progress bars carry their width in data-width; it is set through the CSSOM, which the
// Content Security Policy allows (a style="" attribute it would block).
function djApplyWidths(root) {
  if (!root || !root.querySelectorAll) return;
  const bars = Array.from(root.querySelectorAll("[data-width]"));
  if (root.matches && root.matches("[data-width]")) bars.push(root);
  bars.forEach((bar) => {
    bar.style.width = `${Number(bar.dataset.width) || 0}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => djApplyWidths(document));
document.addEventListener("htmx:load", (event) => djApplyWidths(event.detail.elt));
