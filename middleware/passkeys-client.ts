/**
 * The browser side of passkeys, served by `cognitoPasskeys()` at `<mount>/client.js` (no build step,
 * no dependency, ES2017; no inline script needed, so a strict CSP with `script-src 'self'` allows it).
 *
 * It turns Cognito's JSON options into what `navigator.credentials` takes and the credential back
 * into JSON — with the browser's own `PublicKeyCredential.parseCreationOptionsFromJSON`,
 * `parseRequestOptionsFromJSON` and `credential.toJSON()` where they exist, else the same conversion
 * by hand (base64url ↔ ArrayBuffer) — and binds two declarative hooks:
 *
 * - `<button data-passkey-register data-passkeys-path="/passkeys" data-csrf-token="…">`: registers a
 *   passkey (POST `<path>/registration/options`, `navigator.credentials.create()`, POST
 *   `<path>/registration`), then reloads the page; on failure a `passkey-error` event (`detail.message`,
 *   `detail.code`) on the button.
 * - `<form data-passkey-sign-in data-request-options='{…}'>` with `<input type="hidden" name="credential">`:
 *   on submit, `navigator.credentials.get()` for those options, the assertion into the field, then
 *   the form is submitted; on failure a `passkey-error` event on the form.
 *
 * `window.expressCognitoPasskeys` has the same as functions: `register({ path, csrfToken })`,
 * `getAssertion(requestOptionsJson)`, `creationOptionsFromJSON`, `requestOptionsFromJSON`, `credentialToJSON`.
 */
export const PASSKEYS_CLIENT_JS = String.raw`/* express-cognito passkeys client */
(function () {
  'use strict';
  var PKC = window.PublicKeyCredential;

  function toBuffer(value) {
    var base64 = String(value).replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) base64 += '=';
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type || 'public-key', id: toBuffer(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function creationOptionsFromJSON(json) {
    if (PKC && typeof PKC.parseCreationOptionsFromJSON === 'function') return PKC.parseCreationOptionsFromJSON(json);
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    if (json.excludeCredentials) options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptionsFromJSON(json) {
    if (PKC && typeof PKC.parseRequestOptionsFromJSON === 'function') return PKC.parseRequestOptionsFromJSON(json);
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    if (json.allowCredentials) options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialToJSON(credential) {
    if (typeof credential.toJSON === 'function') {
      try { return credential.toJSON(); } catch (e) { /* an older browser: by hand below */ }
    }
    var r = credential.response;
    var response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64Url(r.attestationObject);
      if (typeof r.getTransports === 'function') response.transports = r.getTransports();
      if (typeof r.getAuthenticatorData === 'function') response.authenticatorData = toBase64Url(r.getAuthenticatorData());
      if (typeof r.getPublicKeyAlgorithm === 'function') response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
    } else {
      response.authenticatorData = toBase64Url(r.authenticatorData);
      response.signature = toBase64Url(r.signature);
      if (r.userHandle) response.userHandle = toBase64Url(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {},
    };
  }

  function post(url, csrfToken, body) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: headers, body: JSON.stringify(body || {}) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) {
            var error = new Error(data.message || 'The request failed (' + res.status + ').');
            error.code = data.code;
            throw error;
          }
          return data;
        });
      });
  }

  function register(settings) {
    var path = (settings && settings.path) || '/passkeys';
    var csrfToken = settings && settings.csrfToken;
    if (!PKC || !navigator.credentials) return Promise.reject(new Error('This browser does not support passkeys.'));
    return post(path + '/registration/options', csrfToken).then(function (data) {
      return navigator.credentials.create({ publicKey: creationOptionsFromJSON(data.options) });
    }).then(function (credential) {
      return post(path + '/registration', csrfToken, { credential: credentialToJSON(credential) });
    });
  }

  function getAssertion(requestOptionsJson) {
    if (!PKC || !navigator.credentials) return Promise.reject(new Error('This browser does not support passkeys.'));
    return navigator.credentials.get({ publicKey: requestOptionsFromJSON(requestOptionsJson) }).then(credentialToJSON);
  }

  function failed(target, error) {
    var detail = { message: (error && error.message) || 'The passkey could not be used.', code: error && error.code };
    target.dispatchEvent(new CustomEvent('passkey-error', { detail: detail, bubbles: true }));
  }

  function bind() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-register]'), function (button) {
      button.addEventListener('click', function (event) {
        event.preventDefault();
        button.disabled = true;
        register({ path: button.getAttribute('data-passkeys-path') || '/passkeys', csrfToken: button.getAttribute('data-csrf-token') })
          .then(function () { window.location.reload(); }, function (error) { button.disabled = false; failed(button, error); });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-sign-in]'), function (form) {
      form.addEventListener('submit', function (event) {
        var field = form.querySelector('input[name="credential"]');
        if (!field || field.value) return;
        event.preventDefault();
        var options;
        try { options = JSON.parse(form.getAttribute('data-request-options') || ''); } catch (e) { return failed(form, e); }
        getAssertion(options).then(function (credential) {
          field.value = JSON.stringify(credential);
          form.submit();
        }, function (error) { failed(form, error); });
      });
    });
  }

  window.expressCognitoPasskeys = {
    register: register, getAssertion: getAssertion, creationOptionsFromJSON: creationOptionsFromJSON,
    requestOptionsFromJSON: requestOptionsFromJSON, credentialToJSON: credentialToJSON,
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bind);
  else bind();
})();
`;
