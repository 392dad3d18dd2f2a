/**
 * The app's own few lines of browser script, served at `/passkey-page.js` next to the package's
 * `/passkeys/client.js` (which does the WebAuthn work and only reports failures as `passkey-error`
 * events): it shows such a failure in the page's `#passkey-error` box, and on the passkey sign-in
 * page submits the form once as the page opens, so the browser's passkey window appears straight
 * after the user chose "Passkey" (the button asks again). A file, not inline script: the CSP allows
 * `script-src 'self'` only. Kept as a string so that the TypeScript build carries it into `dist/`.
 */
/** The script's source, served as `text/javascript` at `/passkey-page.js`. */
export const PASSKEY_PAGE_SCRIPT = `/* express-cognito example app: passkey pages */
(function () {
  'use strict';
  var box = document.getElementById('passkey-error');
  document.addEventListener('passkey-error', function (event) {
    if (!box) return;
    var detail = event.detail || {};
    box.textContent = detail.code === 'ERR_COGNITO_RECENT_SIGN_IN_REQUIRED'
      ? 'Adding a passkey needs a sign-in within the last 5 minutes: log out, log in again, then add it.'
      : 'The passkey did not work: ' + String(detail.message || 'the browser gave no reason').replace(/\\.$/, '') + '.';
    box.hidden = false;
  });
  document.addEventListener('submit', function () { if (box) box.hidden = true; }, true);
  var form = document.querySelector('form[data-passkey-sign-in][data-autostart]');
  // After the package's script (both deferred, in document order), so its submit handler is bound.
  if (form && typeof form.requestSubmit === 'function') form.requestSubmit();
})();
`;
