// The browser's side of passkeys. A form marked data-passkey="register" or "authenticate" runs the
// WebAuthn dialog with the options in the JSON element named by data-options, puts the answer in
// its hidden "response" field and submits it. Everything marked data-passkey-only is hidden until
// this script finds WebAuthn in the browser, so without it (or without JavaScript) the other ways
// of signing in are all the page shows; what is marked data-passkey-missing (a line saying so) is
// hidden once WebAuthn is found.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;
  for (const element of document.querySelectorAll('[data-passkey-only]')) element.hidden = false;
  for (const element of document.querySelectorAll('[data-passkey-missing]')) element.hidden = true;
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const status = form.querySelector('[data-passkey-status]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (status) status.hidden = true;
      const optionsJSON = JSON.parse(document.getElementById(form.dataset.options).textContent);
      try {
        const answer =
          form.dataset.passkey === 'register' ? await lib.startRegistration({ optionsJSON }) : await lib.startAuthentication({ optionsJSON });
        form.elements.response.value = JSON.stringify(answer);
        form.submit();
      } catch (err) {
        // Closed, timed out, or an authenticator registered already: say so and let the user retry.
        if (status) {
          status.textContent = err && err.name === 'InvalidStateError' && form.dataset.already ? form.dataset.already : form.dataset.failed;
          status.hidden = false;
        }
      }
    });
  }
})();
