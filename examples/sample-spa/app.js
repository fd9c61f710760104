/**
 * A single-page app that signs a person in with Tessera from the browser alone
 * (draft-ietf-oauth-browser-based-apps §6.3) through oauth4webapi: the authorization code flow
 * with PKCE (RFC 7636), tokens bound to a DPoP key (RFC 9449) that the page can use but never
 * read, then the person's open work items from the platform API. No build step, no backend.
 *
 * - The DPoP key pair is made non-extractable by WebCrypto and kept in IndexedDB, which stores a
 *   CryptoKey as it is: the page signs with it after the redirect, but no script can export it.
 *   A stolen token, or refresh token, is useless without it (RFC 9449 §1).
 * - `dpop_jkt` binds the authorization code to that key too (RFC 9449 §10).
 * - Tokens stay in this page's memory only (§8.4 of the draft): a reload signs in again.
 * - Tessera answers /token and the API with CORS for this origin because the app is registered
 *   as a single-page app with this origin's callback URL.
 */
import * as oauth from '/vendor/oauth4webapi.js';
import config from '/config.js';

const issuer = new URL(config.issuer);
// Plain http only for a Tessera on this machine (development).
const options = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
const client = { client_id: config.clientId };
const clientAuth = oauth.None();
const redirectUri = new URL('/callback', location.origin).href;
const PENDING = 'sample-spa:pending';

const $ = (id) => document.getElementById(id);
const say = (text) => ($('status').textContent = text);

/** The DPoP key pair, made once per browser profile and kept in IndexedDB (non-extractable). */
async function dpopKeyPair() {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('sample-spa', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const request = (mode, run) =>
    new Promise((resolve, reject) => {
      const r = run(db.transaction('keys', mode).objectStore('keys'));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  let pair = await request('readonly', (store) => store.get('dpop'));
  if (!pair) {
    pair = await oauth.generateKeyPair('ES256'); // extractable: false is oauth4webapi's default
    await request('readwrite', (store) => store.put(pair, 'dpop'));
  }
  return pair;
}

/** Runs a request once more when the server asks for a DPoP nonce (RFC 9449 §8); the handle keeps the nonce. */
async function withNonceRetry(send, process) {
  try {
    return await process(await send());
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    return process(await send());
  }
}

async function discover() {
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options }));
}

async function signIn() {
  const as = await discover();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: config.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    dpop_jkt: await oauth.DPoP(client, await dpopKeyPair()).calculateThumbprint(),
  }).toString();
  location.assign(url.href);
}

async function finishSignIn() {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  // The code leaves the address bar (and the history) at once.
  const callback = new URL(location.href);
  history.replaceState(null, '', '/');
  if (!pending) throw new Error('no sign-in was started in this tab');
  const as = await discover();
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const DPoP = oauth.DPoP(client, await dpopKeyPair());
  const tokens = await withNonceRetry(
    () => oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, pending.verifier, { DPoP, ...options }),
    (response) => oauth.processAuthorizationCodeResponse(as, client, response),
  );
  return { tokens, DPoP };
}

async function api(session, path) {
  const url = new URL(`/api/v1${path}`, issuer);
  const response = await withNonceRetry(
    () => oauth.protectedResourceRequest(session.tokens.access_token, 'GET', url, undefined, undefined, { DPoP: session.DPoP, ...options }),
    async (r) => r,
  );
  if (!response.ok) throw new Error(`Tessera answered ${path} with ${response.status}`);
  return response.json();
}

const OPEN = new Set(['new', 'active']);

async function showWorkItems(session) {
  const lines = [];
  for (const org of (await api(session, '/orgs')).items) {
    for (const project of (await api(session, `/orgs/${encodeURIComponent(org.slug)}/projects`)).items) {
      const page = await api(session, `/orgs/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(project.key)}/workitems?assignee=me&limit=100`);
      for (const item of page.items) if (OPEN.has(item.state)) lines.push(`${org.slug}/${project.key}-${item.id} [${item.state}] ${item.title}`);
    }
  }
  $('token-type').textContent = session.tokens.token_type === 'dpop' ? 'DPoP-bound' : session.tokens.token_type;
  $('work-items').replaceChildren(...(lines.length === 0 ? ['No open work items assigned to you.'] : lines).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  $('signed-in').hidden = false;
}

async function main() {
  $('sign-in').addEventListener('click', () => {
    signIn().catch((err) => say(`Sign-in failed: ${err.message}`));
  });
  if (location.pathname !== '/callback') {
    say('Not signed in.');
    $('sign-in').hidden = false;
    return;
  }
  say('Signing in…');
  const session = await finishSignIn();
  say('Signed in.');
  await showWorkItems(session);
}

main().catch((err) => {
  say(`Something went wrong: ${err.error ?? err.message}`);
  $('sign-in').hidden = false;
});
