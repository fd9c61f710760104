/**
 * A small third-party service that uses Tessera the way any service would: "Connect your account"
 * sends the person to Tessera (authorization code + PKCE, via openid-client), and once they approve
 * it lists their organizations and their open work items through the platform API (/api/v1).
 *
 * What it shows a service developer:
 * - refresh: an access token lives an hour; before it expires, or when the API answers
 *   `token_expired`, the service refreshes, and keeps the NEW refresh token (Tessera rotates it on
 *   every use; sending an old one again revokes the whole authorization);
 * - revocation: the person can revoke the service on Tessera at any time. The API then answers
 *   401 `grant_revoked`, and the refresh `invalid_grant`: the service forgets the tokens and asks
 *   the person to connect again. It never retries them.
 * - refusals: the person decides what the service may do, and organizations decide whether it may
 *   act in them. A 403 `insufficient_scope` names the missing permission in its WWW-Authenticate
 *   challenge (RFC 6750 §3.1): the service says so and offers to connect again asking for just that
 *   one (incremental authorization: Tessera's approval page shows only what is new). A 403
 *   `org_policy_blocked` carries `approval_url`, where the person asks the organization's owners to
 *   approve the service: the service says so and links there.
 * - being told, without asking: Tessera POSTs a logout token to /backchannel-logout when the person
 *   signs out there (OpenID Connect Back-Channel Logout 1.0), and a Security Event Token to
 *   /security-events when they revoke or narrow this service's access (RFC 8935 push, CAEP
 *   events). Both are JWTs signed with Tessera's keys; the service checks them against Tessera's
 *   JWKS, acts on each once, and the person's next page load shows what happened.
 *
 * Run it next to a running Tessera (see README.md):
 *   TESSERA_URL=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… node examples/sample-service/server.mjs
 *
 * Plain Node (20+) and openid-client 6; no build step. Sessions live in memory: a restart signs
 * everyone out, which is fine for a sample and wrong for production.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`sample-service: set ${name} (see examples/sample-service/README.md)`);
    process.exit(2);
  }
  return value;
};

const TESSERA_URL = env('TESSERA_URL').replace(/\/+$/, '');
const CLIENT_ID = env('CLIENT_ID');
const CLIENT_SECRET = env('CLIENT_SECRET');
const HOST = env('HOST', '127.0.0.1');
const PORT = Number(env('PORT', '8080'));
/** Where browsers reach this service; its /callback must be registered on the app. */
const PUBLIC_URL = env('PUBLIC_URL', `http://${HOST}:${PORT}`).replace(/\/+$/, '');
const REDIRECT_URI = `${PUBLIC_URL}/callback`;
/** Every scope asked for must be registered on the app (Tessera compares them as registered). */
const SCOPE = env('SCOPE', 'openid profile offline_access orgs:read workitems:read');
/** Refresh up to this many seconds before the access token expires, so a call never races its expiry. */
const REFRESH_MARGIN = 30;

// openid-client refuses http:// issuers. Allow it only for Tessera on this machine (development);
// anywhere else, tokens over plain http could be read on the way.
const issuer = new URL(TESSERA_URL);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname))) {
  console.error('sample-service: TESSERA_URL must be https (http only for localhost, 127.0.0.1 or [::1])');
  process.exit(2);
}
const insecure = issuer.protocol === 'http:';
const config = await oidc
  .discovery(issuer, CLIENT_ID, undefined, oidc.ClientSecretBasic(CLIENT_SECRET), insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)
  .catch((err) => {
    console.error(`sample-service: cannot read ${TESSERA_URL}/.well-known/openid-configuration (is Tessera running?): ${err.message}`);
    process.exit(1);
  });

/** In-memory sessions: id → { pending?, tokens?, person?, notice?, refreshing? }; `person` is the ID token's { sub, sid }. */
const sessions = new Map();
const now = () => Math.floor(Date.now() / 1000);

class Revoked extends Error {}

/** Tessera answered, and said no: an RFC 9457 problem with a `code` (docs/developers.md, "The platform API"). */
class Refused extends Error {
  constructor({ status, code, title, scope, approvalUrl }) {
    super(`Tessera refused: ${status} ${code ?? ''}`);
    Object.assign(this, { status, code, title, scope, approvalUrl });
  }
}

function sessionOf(req, res) {
  const sid = /(?:^|;\s*)sample_sid=([A-Za-z0-9_-]{20,})/.exec(req.headers.cookie ?? '')?.[1];
  if (sid && sessions.has(sid)) return sessions.get(sid);
  const id = randomBytes(24).toString('base64url');
  const session = { id };
  sessions.set(id, session);
  res.setHeader('set-cookie', `sample_sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

function keepTokens(session, tokens) {
  const lifetime = tokens.expires_in ?? 3600;
  session.tokens = {
    access: tokens.access_token,
    // Rotation: the answer carries a new refresh token, and the old one is spent.
    refresh: tokens.refresh_token ?? session.tokens?.refresh,
    // A margin of at most a fifth of the lifetime, so short-lived tokens are not refreshed on every call.
    refreshAt: now() + lifetime - Math.min(REFRESH_MARGIN, Math.floor(lifetime / 5)),
    // What the person let this service do (RFC 6749 §5.1); a token-claims-change event narrows it.
    scope: tokens.scope ?? session.tokens?.scope ?? SCOPE,
  };
}

function forget(session, notice) {
  delete session.tokens;
  delete session.person;
  session.notice = notice;
}

/** One refresh at a time per session: two parallel refreshes with one token would look like token theft. */
function refresh(session) {
  session.refreshing ??= (async () => {
    try {
      const tokens = await oidc.refreshTokenGrant(config, session.tokens.refresh);
      // A logout token or security event may have ended the session while the refresh ran.
      if (!session.tokens) throw new Revoked();
      keepTokens(session, tokens);
    } catch (err) {
      // invalid_grant: revoked, expired, or already used. Whatever the reason, this token is done.
      if (err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant') throw new Revoked();
      throw err;
    } finally {
      delete session.refreshing;
    }
  })();
  return session.refreshing;
}

/** Only links into Tessera itself are shown to the person. */
const tesseraLink = (url) => (typeof url === 'string' && url.startsWith(`${TESSERA_URL}/`) ? url : undefined);

/**
 * One API call: `{ body }`, or the refusal `{ status, code, title, scope?, approvalUrl? }`. A 401 or
 * a 403 about the token comes as a WWW-Authenticate challenge error; for insufficient_scope the
 * challenge names the scope that is needed (RFC 6750 §3.1: error="insufficient_scope", scope="…").
 */
async function call(session, path) {
  let response;
  let challenge;
  try {
    response = await oidc.fetchProtectedResource(config, session.tokens.access, new URL(`/api/v1${path}`, TESSERA_URL), 'GET');
  } catch (err) {
    if (!(err instanceof oidc.WWWAuthenticateChallengeError)) throw err;
    response = err.response;
    challenge = err.cause.find((c) => c.parameters.error)?.parameters;
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) return { body };
  return { status: response.status, code: body.code, title: body.title, scope: challenge?.scope ?? body.scope, approvalUrl: tesseraLink(body.approval_url) };
}

async function api(session, path) {
  if (!session.tokens) throw new Revoked();
  if (session.tokens.refreshAt <= now()) await refresh(session);
  let answer = await call(session, path);
  if (answer.code === 'token_expired') {
    await refresh(session);
    answer = await call(session, path);
  }
  if (answer.code === 'grant_revoked') throw new Revoked();
  if (answer.status) throw new Refused(answer);
  return answer.body;
}

const OPEN_STATES = new Set(['new', 'active']);
const enc = encodeURIComponent;

/** One organization's open work items assigned to the person: `{ org, items }`, or `{ org, refused }` when Tessera said no. */
async function orgItems(session, org) {
  try {
    const items = [];
    const { items: projects } = await api(session, `/orgs/${enc(org.slug)}/projects`);
    for (const project of projects) {
      const page = await api(session, `/orgs/${enc(org.slug)}/projects/${enc(project.key)}/workitems?assignee=me&limit=100`);
      for (const item of page.items) if (OPEN_STATES.has(item.state)) items.push({ ...item, project: project.key });
    }
    return { org, items };
  } catch (err) {
    if (err instanceof Refused) return { org, refused: err };
    throw err;
  }
}

async function dashboard(session) {
  const me = await api(session, '/me');
  let orgs = [];
  let refused;
  try {
    ({ items: orgs } = await api(session, '/orgs'));
  } catch (err) {
    // The person did not let it see their organizations: the page says so and offers to ask.
    if (!(err instanceof Refused && err.code === 'insufficient_scope')) throw err;
    refused = err;
  }
  const result = [];
  for (const org of orgs) result.push(await orgItems(session, org));
  // GET /orgs lists only where this service may act: an organization it showed before and that is
  // missing now may have shut it out. Ask there, and say so if its policy is why; otherwise (the
  // person left it, or took it away from this service) it is simply gone.
  session.seenOrgs ??= new Map();
  for (const [slug, org] of session.seenOrgs) {
    if (orgs.some((o) => o.slug === slug)) continue;
    const probed = await orgItems(session, org);
    if (probed.refused?.code === 'org_policy_blocked') result.push(probed);
    else session.seenOrgs.delete(slug);
  }
  for (const org of orgs) session.seenOrgs.set(org.slug, org);
  return { me, orgs: result, refused };
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(res, status, title, body) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem}.notice{background:#fff4e5;border-left:4px solid #e08a00;padding:.5rem .75rem}
.button{display:inline-block;background:#3156d3;color:#fff;padding:.5rem 1rem;border-radius:6px;text-decoration:none;border:0;font:inherit;cursor:pointer}
.muted{color:#667}li{margin:.2rem 0}</style></head><body><h1>Sample service</h1>${body}</body></html>`);
}

function connectPage(res, session, status = 200) {
  const notice = session.notice ? `<p class="notice" role="status">${esc(session.notice)}</p>` : '';
  delete session.notice;
  page(res, status, 'Sample service', `${notice}<p>This service shows your organizations and your open work items from Tessera.</p>
<p><a class="button" href="/connect">Connect your account</a></p>`);
}

/** What each permission this sample asks for lets it do, in the person's words (a Map: scopes never become object keys). */
const PERMISSIONS = new Map([['orgs:read', 'see your organizations'], ['workitems:read', 'read your work items']]);
const permission = (scope) => PERMISSIONS.get(scope) ?? `use ${scope}`;

/** Incremental authorization: a new request for one more permission, on top of what the person allows now. */
const askFor = (scope) => `<p class="notice" role="status">Tessera did not let this service ${esc(permission(scope))}: you have not given it the permission <code>${esc(scope)}</code>.</p>
<p><a class="button" href="/connect?add=${esc(enc(scope))}">Allow it to ${esc(permission(scope))}</a></p>`;

/** Why an organization shows nothing: Tessera's refusal, in words, and where the person can act on it. */
function refusal({ code, scope, title, approvalUrl }) {
  if (code === 'insufficient_scope') return `<p class="muted">Needs the permission <code>${esc(scope)}</code> (see above).</p>`;
  if (code === 'org_policy_blocked') {
    const ask = approvalUrl ? ` <a href="${esc(approvalUrl)}">Ask its owners to approve this service</a>.` : '';
    return `<p class="notice">This organization's owners do not let this service act in it.${ask}</p>`;
  }
  return `<p class="notice">Tessera refused: ${esc(title ?? code ?? 'no reason given')}</p>`;
}

function dashboardPage(res, { me, orgs, refused }, scope) {
  const missing = new Set([refused, ...orgs.map((o) => o.refused)].filter((r) => r?.code === 'insufficient_scope' && r.scope).map((r) => r.scope));
  const list = orgs.length === 0
    ? (refused ? '' : '<p>You do not belong to any organization this service may see.</p>')
    : orgs.map(({ org, items, refused: why }) => `<section class="org"><h2>${esc(org.name)} <span class="muted">(${esc(org.slug)})</span></h2>${
        why ? refusal(why)
          : items.length === 0 ? '<p class="muted">No open work items assigned to you.</p>'
          : `<ul>${items.map((i) => `<li class="work-item">${esc(i.project)}-${esc(i.id)}: ${esc(i.title)} <span class="muted">${esc(i.state)}</span></li>`).join('')}</ul>`
      }</section>`).join('');
  page(res, 200, 'Sample service', `<p>Connected as <strong id="who">${esc(me.name ?? me.id)}</strong>.</p>
<p class="muted">Tessera lets this service: <span id="scope">${esc(scope)}</span></p>${[...missing].map(askFor).join('')}${list}
<form method="post" action="/disconnect"><button class="button" type="submit">Disconnect</button></form>`);
}

// ---- Being told: back-channel logout and security events -------------------------------------
// Both arrive as JWTs signed with Tessera's keys. jose checks the signature against Tessera's
// JWKS (fetched once, again on an unknown `kid`), the header's `typ`, `iss`, `aud` and the age.
const metadata = config.serverMetadata();
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
const ALGORITHMS = metadata.id_token_signing_alg_values_supported ?? ['ES256'];
/** Tessera signs each attempt when it sends it, so a valid token is always recent. */
const MAX_TOKEN_AGE = 120;
const CLOCK_TOLERANCE = 30;

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';

function verify(token, typ) {
  return jwtVerify(token, jwks, {
    issuer: metadata.issuer, audience: CLIENT_ID, typ, algorithms: ALGORITHMS,
    maxTokenAge: MAX_TOKEN_AGE, clockTolerance: CLOCK_TOLERANCE, requiredClaims: ['iat', 'jti'],
  }).then(({ payload }) => payload);
}

/**
 * Each token is acted on once. Tessera sends a token again, with the same `jti`, until it gets a
 * 2xx: a repeat is acknowledged and ignored, so a copy replayed later cannot end a newer session.
 * A `jti` is remembered until its token is too old to pass `verify` anyway.
 */
const seen = new Map(); // jti → second it may be forgotten
function firstTime(jti) {
  for (const [old, until] of seen) if (until < now()) seen.delete(old);
  if (seen.has(jti)) return false;
  seen.set(jti, now() + MAX_TOKEN_AGE + 2 * CLOCK_TOLERANCE);
  return true;
}

/** Ends every local session whose person matches, with `notice` for their next page load. */
function endSessions(matches, notice) {
  let ended = 0;
  for (const session of sessions.values()) {
    if (session.person && matches(session.person)) {
      forget(session, notice);
      ended++;
    }
  }
  return ended;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

function readBody(req, limit = 16 * 1024) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > limit) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function answer(res, status, json) {
  res.writeHead(status, { 'cache-control': 'no-store', ...(json ? { 'content-type': 'application/json' } : {}) });
  res.end(json ? JSON.stringify(json) : undefined);
}

/** RFC 8935 §2.4's error codes for what jose refused. */
function setErrorCode(err) {
  if (err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && err.claim === 'iss') return 'invalid_issuer';
  if (err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && err.claim === 'aud') return 'invalid_audience';
  if (err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || err.code === 'ERR_JWKS_NO_MATCHING_KEY') return 'invalid_key';
  return 'invalid_request';
}

const receivers = {
  /**
   * OpenID Connect Back-Channel Logout 1.0 §2.6-§2.8: the person signed out at Tessera (or their
   * Tessera session ended). `sid` names that session, `sub` the person; end what they name.
   */
  async 'POST /backchannel-logout'(req, res) {
    try {
      if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) throw new Error('expected a form post');
      const token = new URLSearchParams(await readBody(req)).get('logout_token');
      if (!token) throw new Error('no logout_token');
      const claims = await verify(token, 'logout+jwt');
      if (!isObject(claims.events?.[LOGOUT_EVENT])) throw new Error('not a logout token');
      if (claims.nonce !== undefined) throw new Error('a logout token has no nonce'); // §2.4: so an ID token cannot pass for one
      if (typeof claims.sid !== 'string' && typeof claims.sub !== 'string') throw new Error('no sid or sub');
      if (firstTime(claims.jti)) {
        const ended = endSessions((p) => (claims.sid === undefined || p.sid === claims.sid) && (claims.sub === undefined || p.sub === claims.sub), 'Signed out at Tessera.');
        console.log(`back-channel logout: ended ${ended} session(s)`);
      }
      answer(res, 200);
    } catch (err) {
      answer(res, 400, { error: 'invalid_request', error_description: err.message }); // §2.8
    }
  },

  /**
   * RFC 8935 push of Security Event Tokens (RFC 8417) with CAEP events: session-revoked (the
   * person revoked this service, or Tessera did for them) ends their local session and forgets
   * its tokens; token-claims-change updates what the session holds. 202 when accepted (§2.2).
   */
  async 'POST /security-events'(req, res) {
    try {
      if (!/^application\/secevent\+jwt\b/.test(req.headers['content-type'] ?? '')) throw new Error('expected application/secevent+jwt');
      const claims = await verify((await readBody(req)).trim(), 'secevent+jwt');
      const { events, sub_id: subject } = claims;
      if (!isObject(events)) throw new Error('no events');
      // The SSF subject format iss_sub: the person as Tessera's ID tokens name them.
      if (subject?.format !== 'iss_sub' || subject.iss !== metadata.issuer || typeof subject.sub !== 'string') throw new Error('sub_id is not an iss_sub of Tessera');
      const revoked = events[SESSION_REVOKED];
      const changed = events[CLAIMS_CHANGE];
      if ((revoked !== undefined && !isObject(revoked)) || (changed !== undefined && !isObject(changed))) throw new Error('an event is not an object');
      if (firstTime(claims.jti)) {
        if (revoked) {
          const ended = endSessions((p) => p.sub === subject.sub, 'Signed out: access was revoked.');
          console.log(`security event session-revoked: ended ${ended} session(s)`);
        } else if (changed) {
          const scope = changed.claims?.scope;
          for (const session of sessions.values()) {
            if (session.person?.sub !== subject.sub || !session.tokens) continue;
            if (typeof scope === 'string') session.tokens.scope = scope;
            session.tokens.refreshAt = 0; // the next call refreshes: a token that says what is granted now
          }
          console.log('security event token-claims-change: updated');
        }
        // Other event types: accepted and ignored (RFC 8417 §2.2 lets a recipient ignore what it does not know).
      }
      answer(res, 202);
    } catch (err) {
      answer(res, 400, { err: setErrorCode(err), description: err.message }); // RFC 8935 §2.3
    }
  },
};

const routes = {
  async 'GET /'(req, res, session) {
    if (!session.tokens) return connectPage(res, session);
    try {
      const shown = await dashboard(session);
      if (!session.tokens) throw new Revoked(); // ended by a receiver while the page was built
      return dashboardPage(res, shown, session.tokens.scope);
    } catch (err) {
      if (!(err instanceof Revoked)) throw err;
      // A receiver may have ended the session meanwhile and said why: keep its notice.
      forget(session, session.notice ?? 'Tessera access was revoked — connect again.');
      return connectPage(res, session);
    }
  },

  async 'GET /connect'(req, res, session) {
    // `?add=<scope>` after an insufficient_scope: what the person allows now plus that one
    // permission (only one this service is registered for, i.e. one of SCOPE); Tessera's approval
    // page then shows only what is new. Otherwise, everything the service asks for.
    const add = new URL(req.url, PUBLIC_URL).searchParams.get('add');
    const scope = add && session.tokens && SCOPE.split(' ').includes(add) ? [...new Set([...session.tokens.scope.split(' '), add])].join(' ') : SCOPE;
    const verifier = oidc.randomPKCECodeVerifier();
    session.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: session.pending.state,
      nonce: session.pending.nonce,
    });
    res.writeHead(302, { location: url.href, 'cache-control': 'no-store' }).end();
  },

  async 'GET /callback'(req, res, session) {
    const pending = session.pending;
    delete session.pending;
    if (!pending) return connectPage(res, session, 400);
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url, PUBLIC_URL), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      keepTokens(session, tokens);
      // Who signed in, and in which Tessera session: what a logout token or security event names.
      const { sub, sid } = tokens.claims();
      session.person = { sub, sid };
    } catch (err) {
      // access_denied (the person said no) and every other failure: nothing is kept.
      session.notice = err instanceof oidc.AuthorizationResponseError && err.error === 'access_denied' ? 'You did not connect your account.' : 'Connecting failed; try again.';
      return connectPage(res, session);
    }
    res.writeHead(303, { location: '/' }).end();
  },

  async 'POST /disconnect'(req, res, session) {
    // A form of ours only: the browser says where the post came from (no cross-site disconnects).
    if (req.headers['sec-fetch-site'] && req.headers['sec-fetch-site'] !== 'same-origin') return page(res, 403, 'Forbidden', '<p>Forbidden.</p>');
    if (session.tokens?.refresh) await oidc.tokenRevocation(config, session.tokens.refresh).catch(() => {});
    forget(session, 'Disconnected. Tessera no longer lets this service act for you.');
    res.writeHead(303, { location: '/' }).end();
  },
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url, PUBLIC_URL).pathname;
  const route = `${req.method} ${path}`;
  const handler = Object.hasOwn(routes, route) ? routes[route] : Object.hasOwn(receivers, route) ? receivers[route] : undefined;
  if (!handler) return page(res, 404, 'Not found', '<p>Not found.</p>');
  try {
    // Tessera calls the receivers server to server: no cookie, no session of their own.
    await handler(req, res, Object.hasOwn(routes, route) ? sessionOf(req, res) : undefined);
  } catch (err) {
    console.error(err);
    if (res.headersSent) return;
    // Tessera answered and said no (a refusal not handled above) is not "could not be reached".
    if (err instanceof Refused) page(res, 502, 'Refused', `<p>Tessera refused this service's request: ${esc(err.title ?? err.code ?? err.status)}</p><p><a href="/">Try again</a></p>`);
    else page(res, 502, 'Error', '<p>Tessera could not be reached or answered unexpectedly. Try again.</p>');
  }
});

server.listen(PORT, HOST, () => console.log(`sample-service: listening on ${PUBLIC_URL} (callback ${REDIRECT_URI})`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
