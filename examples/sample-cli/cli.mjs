#!/usr/bin/env node
/**
 * A small command-line tool that signs a person in with the OAuth 2.0 Device Authorization Grant
 * (RFC 8628) through oauth4webapi, then lists their open work items through Tessera's platform API
 * (issue 17). It prints the code and where to type it, polls at the interval Tessera names (five
 * seconds longer after each `slow_down`), and stops on `access_denied` or `expired_token`.
 */
import * as oauth from 'oauth4webapi';

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (value === undefined) {
    console.error(`sample-cli: set ${name}`);
    process.exit(2);
  }
  return value;
};

const TESSERA_URL = env('TESSERA_URL').replace(/\/+$/, '');
const CLIENT_ID = env('CLIENT_ID');
/** Every scope must be registered on the app; full_access is never granted to a device. */
const SCOPE = env('SCOPE', 'openid orgs:read workitems:read');

// Plain http only for a Tessera on this machine (development): elsewhere tokens could be read on the way.
const issuer = new URL(TESSERA_URL);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname))) {
  console.error('sample-cli: TESSERA_URL must be https (http only for localhost, 127.0.0.1 or [::1])');
  process.exit(2);
}
const options = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
const client = { client_id: CLIENT_ID };
const auth = oauth.None();
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options }));
const started = await oauth.processDeviceAuthorizationResponse(
  as,
  client,
  await oauth.deviceAuthorizationRequest(as, client, auth, new URLSearchParams({ scope: SCOPE }), options),
);

console.log(`To sign in, open ${started.verification_uri} and enter the code ${started.user_code}`);
if (started.verification_uri_complete) console.log(`(or open ${started.verification_uri_complete} and check that it shows ${started.user_code})`);
console.log(`The code expires in ${Math.round(started.expires_in / 60)} minutes. Never type a code someone sent you.`);

let interval = started.interval ?? 5;
let tokens;
for (;;) {
  await sleep(interval);
  try {
    tokens = await oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, auth, started.device_code, options));
    break;
  } catch (err) {
    if (!(err instanceof oauth.ResponseBodyError)) throw err;
    if (err.error === 'authorization_pending') continue;
    // RFC 8628 §3.5: five seconds more, for this and every later request.
    if (err.error === 'slow_down') {
      interval += 5;
      continue;
    }
    console.error(err.error === 'access_denied' ? 'Sign-in denied.' : err.error === 'expired_token' ? 'The code expired; run again.' : `Sign-in failed: ${err.error}`);
    process.exit(1);
  }
}
console.log('Signed in.');

async function api(path) {
  const response = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`/api/v1${path}`, TESSERA_URL), undefined, undefined, options);
  if (!response.ok) throw new Error(`Tessera answered ${path} with ${response.status}`);
  return response.json();
}

const OPEN = new Set(['new', 'active']);
const lines = [];
for (const org of (await api('/orgs')).items) {
  for (const project of (await api(`/orgs/${encodeURIComponent(org.slug)}/projects`)).items) {
    const page = await api(`/orgs/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(project.key)}/workitems?assignee=me&limit=100`);
    for (const item of page.items) if (OPEN.has(item.state)) lines.push(`${org.slug}/${project.key}-${item.id}  [${item.state}]  ${item.title}`);
  }
}
console.log(lines.length === 0 ? 'No open work items assigned to you.' : `Your open work items:\n${lines.join('\n')}`);
