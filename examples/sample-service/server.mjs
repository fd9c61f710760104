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

/** In-memory sessions: id → { pending?, tokens?, notice?, refreshing? } */
const sessions = new Map();
const now = () => Math.floor(Date.now() / 1000);

class Revoked extends Error {}

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
  };
}

function forget(session, notice) {
  delete session.tokens;
  session.notice = notice;
}

/** One refresh at a time per session: two parallel refreshes with one token would look like token theft. */
function refresh(session) {
  session.refreshing ??= (async () => {
    try {
      keepTokens(session, await oidc.refreshTokenGrant(config, session.tokens.refresh));
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

/** A problem answer of the API: { status, code }; a 401 comes as a WWW-Authenticate challenge error. */
async function call(session, path) {
  try {
    const response = await oidc.fetchProtectedResource(config, session.tokens.access, new URL(`/api/v1${path}`, TESSERA_URL), 'GET');
    const body = await response.json().catch(() => ({}));
    return response.ok ? { body } : { status: response.status, code: body.code };
  } catch (err) {
    if (!(err instanceof oidc.WWWAuthenticateChallengeError)) throw err;
    const body = await err.response.json().catch(() => ({}));
    return { status: err.status, code: body.code };
  }
}

async function api(session, path) {
  if (session.tokens.refreshAt <= now()) await refresh(session);
  let answer = await call(session, path);
  if (answer.code === 'token_expired') {
    await refresh(session);
    answer = await call(session, path);
  }
  if (answer.code === 'grant_revoked') throw new Revoked();
  if (answer.status) throw new Error(`Tessera answered ${path} with ${answer.status} ${answer.code ?? ''}`);
  return answer.body;
}

const OPEN_STATES = new Set(['new', 'active']);

async function dashboard(session) {
  const me = await api(session, '/me');
  const { items: orgs } = await api(session, '/orgs');
  const result = [];
  for (const org of orgs) {
    const items = [];
    const { items: projects } = await api(session, `/orgs/${encodeURIComponent(org.slug)}/projects`);
    for (const project of projects) {
      const page = await api(session, `/orgs/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(project.key)}/workitems?assignee=me&limit=100`);
      for (const item of page.items) if (OPEN_STATES.has(item.state)) items.push({ ...item, project: project.key });
    }
    result.push({ org, items });
  }
  return { me, orgs: result };
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

function dashboardPage(res, { me, orgs }) {
  const list = orgs.length === 0
    ? '<p>You do not belong to any organization this service may see.</p>'
    : orgs.map(({ org, items }) => `<section class="org"><h2>${esc(org.name)} <span class="muted">(${esc(org.slug)})</span></h2>${
        items.length === 0 ? '<p class="muted">No open work items assigned to you.</p>'
          : `<ul>${items.map((i) => `<li class="work-item">${esc(i.project)}-${esc(i.id)}: ${esc(i.title)} <span class="muted">${esc(i.state)}</span></li>`).join('')}</ul>`
      }</section>`).join('');
  page(res, 200, 'Sample service', `<p>Connected as <strong id="who">${esc(me.name ?? me.id)}</strong>.</p>${list}
<form method="post" action="/disconnect"><button class="button" type="submit">Disconnect</button></form>`);
}

const routes = {
  async 'GET /'(req, res, session) {
    if (!session.tokens) return connectPage(res, session);
    try {
      return dashboardPage(res, await dashboard(session));
    } catch (err) {
      if (!(err instanceof Revoked)) throw err;
      forget(session, 'Tessera access was revoked — connect again.');
      return connectPage(res, session);
    }
  },

  async 'GET /connect'(req, res, session) {
    const verifier = oidc.randomPKCECodeVerifier();
    session.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
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
  const handler = routes[`${req.method} ${path}`];
  if (!handler) return page(res, 404, 'Not found', '<p>Not found.</p>');
  try {
    await handler(req, res, sessionOf(req, res));
  } catch (err) {
    console.error(err);
    if (!res.headersSent) page(res, 502, 'Error', '<p>Tessera could not be reached or answered unexpectedly. Try again.</p>');
  }
});

server.listen(PORT, HOST, () => console.log(`sample-service: listening on ${PUBLIC_URL} (callback ${REDIRECT_URI})`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
