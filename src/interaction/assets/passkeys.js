// Passkey ceremonies on Tessera's pages (issue 16). Plain JavaScript, no build step, served from our
// own origin and loaded as a module by the pages that need it (their CSP: script-src 'self').
// Without it, or in a browser without WebAuthn, every page still works: the passkey controls are
// `hidden` in the markup and shown only here.
//
// The markup says what to do:
//   [data-passkey-only]            shown when the browser supports WebAuthn
//   [data-passkey="sign-in"]       a button: sign in with any passkey (discoverable credentials);
//                                  with an <input autocomplete="… webauthn"> on the page, passkeys
//                                  are also offered by the browser's autofill (conditional mediation)
//   [data-passkey="second-factor"] a button: the second step after a password
//   [data-passkey="reset"]         a button in the password reset form: the passkey as the reset's
//                                  second factor (the form's fields: link, password, confirm)
//   [data-passkey="sign-up"]       a button in the sign-up form: create the account with a passkey
//                                  instead of a password (the form's fields: name, email)
//   [data-passkey="add"]           a form: add a passkey to the signed-in account (its field: name)
// each with data-options and data-verify (our JSON endpoints), and data-interaction /
// data-return-to to carry on where the sign-in continues. [data-passkey-status] shows problems.

const script = document.querySelector('script[data-webauthn]');

function status(text) {
  const el = document.querySelector('[data-passkey-status]');
  if (!el) return;
  el.textContent = text;
  el.hidden = text === '';
}

/** POSTs JSON to one of our endpoints; the answer is JSON, or an error with its `message`. */
async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    // Not JSON (a proxy's page): the generic message below.
  }
  if (!response.ok) throw new Error(typeof answer.message === 'string' ? answer.message : 'That did not work. Reload the page and try again.');
  return answer;
}

/** Where the sign-in continues: the fields the element carries. */
function carried(el) {
  const body = {};
  if (el.dataset.interaction) body.interaction = el.dataset.interaction;
  if (el.dataset.returnTo) body.return_to = el.dataset.returnTo;
  return body;
}

/** What the browser said when the person cancelled or the authenticator refused. */
function ceremonyProblem(error) {
  if (error && error.name === 'AbortError') return '';
  if (error && (error.name === 'NotAllowedError' || error.code === 'ERROR_CEREMONY_ABORTED')) return 'No passkey was used. Try again when you are ready.';
  if (error && error.name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
  return error && error.message ? error.message : 'That did not work. Try again.';
}

/**
 * One sign-in ceremony. With `autofill`, it runs in the background: until a passkey is picked,
 * its failures (the button cancelling it, no passkey on this device) say nothing.
 */
async function authenticate(webauthn, el, autofill, fields = {}) {
  let credential;
  try {
    const { options } = await post(el.dataset.options, { ...carried(el), ...fields });
    credential = await webauthn.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  } catch (error) {
    if (autofill) return;
    throw error;
  }
  status('');
  const { location } = await post(el.dataset.verify, { ...carried(el), ...fields, credential });
  window.location.assign(location);
}

async function register(webauthn, el, fields) {
  const { options } = await post(el.dataset.options, { ...carried(el), ...fields });
  const credential = await webauthn.startRegistration({ optionsJSON: options });
  status('');
  const { location } = await post(el.dataset.verify, { ...carried(el), ...fields, credential });
  window.location.assign(location);
}

function field(form, name) {
  const input = form.elements.namedItem(name);
  return input && 'value' in input ? input.value : '';
}

async function main() {
  if (!script || typeof window.PublicKeyCredential !== 'function') return;
  const webauthn = await import(script.dataset.webauthn);
  if (!webauthn.browserSupportsWebAuthn()) return;
  for (const el of document.querySelectorAll('[data-passkey-only]')) el.hidden = false;

  for (const button of document.querySelectorAll('[data-passkey="sign-in"], [data-passkey="second-factor"]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      status('');
      authenticate(webauthn, button, false).catch((error) => status(ceremonyProblem(error)));
    });
  }

  // A password reset confirmed with a passkey: the new password travels with the assertion, and
  // the server checks both before the link is used (recovery/passkey_route.ts).
  for (const button of document.querySelectorAll('button[data-passkey="reset"]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      status('');
      const form = button.form;
      if (!form || !['password', 'confirm'].every((name) => form.elements.namedItem(name)?.reportValidity())) return;
      const fields = { link: field(form, 'link'), password: field(form, 'password'), confirm: field(form, 'confirm') };
      authenticate(webauthn, button, false, fields).catch((error) => status(ceremonyProblem(error)));
    });
  }

  for (const button of document.querySelectorAll('button[data-passkey="sign-up"]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      status('');
      const form = button.form;
      // The password stays empty: only the name and the address are needed, and checked first.
      if (!form || !['name', 'email'].every((name) => form.elements.namedItem(name)?.reportValidity())) return;
      register(webauthn, button, { name: field(form, 'name'), email: field(form, 'email') }).catch((error) => status(ceremonyProblem(error)));
    });
  }

  for (const form of document.querySelectorAll('form[data-passkey="add"]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      status('');
      register(webauthn, form, { name: field(form, 'name') }).catch((error) => status(ceremonyProblem(error)));
    });
  }

  // Conditional mediation (WebAuthn L3 §5.1.4): the browser offers passkeys in the email field's
  // autofill; the request waits until one is picked, and the button above cancels it.
  const signIn = document.querySelector('[data-passkey="sign-in"]');
  if (signIn && document.querySelector('input[autocomplete$="webauthn"]') && (await webauthn.browserSupportsWebAuthnAutofill())) {
    authenticate(webauthn, signIn, true).catch((error) => status(ceremonyProblem(error)));
  }
}

main().catch(() => {
  // The library could not load: the page works as it is, without passkeys.
});
