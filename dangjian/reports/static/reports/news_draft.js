// Copy the draft: the Clipboard API where allowed, else select the text and execCommand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const box = document.querySelector(button.dataset.copyTarget);
  if (!box) return;
  try {
    await navigator.clipboard.writeText(box.value);
  } catch (e) {
    box.select();
    document.execCommand("copy");
  }
  const label = button.querySelector("span");
  if (label && button.dataset.copiedLabel) {
    const before = label.textContent;
    label.textContent = button.dataset.copiedLabel;
    setTimeout(() => { label.textContent = before; }, 1500);
  }
});
