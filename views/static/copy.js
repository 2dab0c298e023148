// Progressive enhancement for the recovery-codes page: a copy button, shown only where the
// clipboard API exists. Served as a file so the pages keep a CSP without inline script.
for (const button of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    const list = document.getElementById(button.dataset.copy);
    const text = [...list.querySelectorAll('code')].map((c) => c.textContent).join('\n');
    navigator.clipboard.writeText(text).then(() => { button.textContent = '✓'; });
  });
}
