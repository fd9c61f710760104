/**
 * Sign-in, approval, secret rotation and organization-policy writes keep their promises under
 * `kill -9` and a database outage (issue "One authority for sign-in, sessions and grants", "The
 * test suite's own gaps"). A real Tessera process (src/main.ts through tsx, as crash.test.ts
 * starts it) serves people who sign in with a password (POST /login with the form's token),
 * approve a service through the whole /authorize → sign-in → approval flow, rotate a client
 * secret through the portal's JSON API, and save their organization's third-party policy on the
 * settings page.
 *
 * 1. SIGKILL under that load (SQLite file and PostgreSQL), restarted on the same database; after
 *    each restart the database is checked directly (`checkInvariants`):
 *    - every `sessions` row has exactly its `user.signed_in` event (same person, same second):
 *      the store writes both in one transaction (persistence/stores/sessions.ts);
 *    - every session cookie answered with a 303 is stored (durable, and never a cookie without a session);
 *    - every grant has scopes, organizations that are NULL (all) or ones the person belongs to,
 *      a person and an app that exist, and the `grant.approved` event the approval route writes;
 *    - at most two active secrets per app, every secret row complete, every secret answered 201
 *      stored (unless revoked with a 204);
 *    - every policy row names an organization and a known mode, and holds the last policy
 *      answered 303 (or the one a kill cut off).
 * 2. A PostgreSQL outage (a cluster of the test's own, test/support/pg_cluster.ts, stopped and
 *    started) while sign-ins and approvals are in flight: every answer is its normal one or 503
 *    with Retry-After, never a 500, never a session cookie whose session is not stored; sign-in
 *    works again within seconds of the database's return without restarting Tessera, and the
 *    same invariants hold. SQLite has no outage here: making the file unwritable does not stop a
 *    process that already holds it open (nor root), so that would not be a real outage.
 *
 * Default: 3 kills per dialect, about 2 s of load each; RELIABILITY_LONG=1: 10 kills.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { dialects, POSTGRES_URL } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createDeps } from '../../src/create_deps.ts';
import type { Deps } from '../../src/deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomClientId, randomToken } from '../../src/crypto/random.ts';
import type { App } from '../../src/domain/apps.ts';
import type { User } from '../../src/domain/users.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { findForm } from '../support/browser.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { startPgCluster, type PgCluster } from '../support/pg_cluster.ts';
import { HANG_MS, sleep } from './http.ts';
import { until } from '../support/wait.ts';

const LONG = process.env.RELIABILITY_LONG === '1';
const KILLS = LONG ? 10 : 3;
const REDIRECT = 'https://app.example/cb';
const MODES = ['allow', 'approved', 'deny'] as const;
const SIGNERS = 3;
const APPROVERS = 6;
/** Secret and policy workers pause between steps, so the argon2-bound sign-ins get their share of the 2 cores. */
const PACE_MS = 100;

/** Headers a browser sends on a same-origin form post or fetch. */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

interface Hop {
  method: string;
  path: string;
  status: number;
  retryAfter: string | null;
  location: string | null;
  body: string;
  /** A session cookie this answer set (its value), if any. */
  sessionCookie?: string;
}

/**
 * A browser over fetch against a real process: keeps cookies, maps the issuer's URLs onto the
 * process's address (the issuer stays fixed across restarts, as behind a load balancer), and
 * records every answer.
 */
class Jar {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly base: () => string,
    private readonly issuer: string,
    private readonly onHop: (hop: Hop) => void,
  ) {}

  async request(method: string, path: string, body?: { form?: Record<string, string>; json?: unknown }): Promise<Hop> {
    const headers: Record<string, string> = { ...SAME_ORIGIN };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    let payload: string | undefined;
    if (body?.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body.form).toString();
    } else if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    const res = await fetch(this.base() + path, { method, headers, body: payload, redirect: 'manual', signal: AbortSignal.timeout(HANG_MS) });
    const text = await res.text();
    const hop: Hop = { method, path, status: res.status, retryAfter: res.headers.get('retry-after'), location: res.headers.get('location'), body: text };
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (name.endsWith('tessera_session') && value !== '') hop.sessionCookie = value;
    }
    this.onHop(hop);
    return hop;
  }

  /** A path of ours for a Location header, or undefined when it leaves (the client's redirect URI). */
  ours(location: string | null): string | undefined {
    if (location === null) return undefined;
    if (location.startsWith(this.issuer + '/')) return location.slice(this.issuer.length);
    return location.startsWith('/') && !location.startsWith('//') ? location : undefined;
  }

  /** GETs `path` and follows redirects that stay on our origin. */
  async open(path: string): Promise<Hop> {
    let hop = await this.request('GET', path);
    for (let i = 0; i < 8; i++) {
      const next = hop.status >= 300 && hop.status < 400 ? this.ours(hop.location) : undefined;
      if (next === undefined) return hop;
      hop = await this.request('GET', next);
    }
    return hop;
  }

  /** Posts the page's form whose action matches, with its hidden and checked fields plus `fields`. */
  async submit(page: Hop, action: RegExp, fields: Record<string, string> = {}): Promise<Hop | undefined> {
    const form = findForm(page.body, action);
    if (!form) return undefined;
    return this.request('POST', this.ours(form.action) ?? form.action, { form: { ...form.hidden, ...fields } });
  }
}

/** A request's route, for the tally of answers. */
function routeOf(hop: Hop): string {
  const path = hop.path
    .split('?')[0]!
    .replace(/\/interaction\/[^/]+/, '/interaction/:id')
    .replace(/apps\/[^/]+/, 'apps/:id')
    .replace(/secrets\/[^/]+/, 'secrets/:id')
    .replace(/orgs\/[^/]+/, 'orgs/:slug');
  return `${hop.method} ${path}`;
}

/** What the workers learned from answers: the model the checks hold the database to. */
interface Model {
  /** Session cookies answered with a 303 from POST /login. */
  sessionCookies: Set<string>;
  /** Per app: secrets answered 201 and not revoked with a 204 since (their value). */
  secrets: Map<string, Set<string>>;
  /** Per organization: the last policy answered 303, and those cut-off requests may have written since. */
  policies: Map<string, { acked: string | undefined; uncertain: string[] }>;
}

interface Figures {
  requests: number;
  cutOff: number;
  signIns: number;
  approvals: number;
  rotations: number;
  policies: number;
  unavailable: number;
  checks: number;
  /** Answers by request and status. */
  statuses: Map<string, number>;
}

interface World {
  signers: User[];
  approvers: User[];
  /** The approval flow's service. */
  client: TestClient;
  /** Developers and the app each owns (portal secrets). */
  developers: { user: User; appId: string }[];
  /** Owners and the organization whose policy each saves. */
  owners: { user: User; slug: string; orgId: string }[];
}

/** People, organizations and apps, through Tessera's own stores. */
async function seedWorld(seed: Deps, tag: string): Promise<World> {
  const now = seed.clock.now();
  const user = (name: string) => createUser(seed, `${name}-${tag}@example.com`, name, { verified: true });
  const signers: User[] = [];
  for (let i = 0; i < SIGNERS; i++) signers.push(await user(`signer${i}`));
  const approvers: User[] = [];
  for (let i = 0; i < APPROVERS; i++) approvers.push(await user(`approver${i}`));
  // Each approver belongs to two organizations, so the approval page offers a choice of them.
  const boss = await user('boss');
  const orgA = (await seed.stores.organizations.create({ slug: `acme-${tag}`, name: 'Acme', ownerUserId: boss.id }, now))!;
  const orgB = (await seed.stores.organizations.create({ slug: `globex-${tag}`, name: 'Globex', ownerUserId: boss.id }, now))!;
  for (const a of approvers) {
    await seed.stores.organizations.setMember(orgA.id, a.id, 'member', now);
    await seed.stores.organizations.setMember(orgB.id, a.id, 'member', now);
  }
  const client = await createClient(seed, { redirectUris: [REDIRECT] });
  const developers: World['developers'] = [];
  for (let i = 0; i < 2; i++) {
    const dev = await user(`dev${i}`);
    const app: App = {
      id: randomClientId(),
      name: `Dev App ${i}`,
      description: 'A developer app whose secrets rotate',
      publisher: 'Dev',
      websiteUrl: null,
      logoUrl: null,
      redirectUris: [REDIRECT],
      clientType: 'confidential',
      scopes: ['openid'],
      ownerUserId: dev.id,
      verified: false,
      createdAt: now,
    };
    await seed.stores.apps.create(app, digest(randomToken('clientSecret')), now);
    developers.push({ user: dev, appId: app.id });
  }
  // Policies are saved on organizations of their own, so the approval flow's answers do not depend on them.
  const owners: World['owners'] = [];
  for (let i = 0; i < 2; i++) {
    const owner = await user(`owner${i}`);
    const org = (await seed.stores.organizations.create({ slug: `policy${i}-${tag}`, name: `Policy ${i}`, ownerUserId: owner.id }, now))!;
    owners.push({ user: owner, slug: org.slug, orgId: org.id });
  }
  return { signers, approvers, client, developers, owners };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The load: sign-ins, approvals, secret rotations and policy writes, each worker one at a time.
 * `accept(hop)` judges every answer (returns a failure text or undefined); `retire` stops it.
 */
function startLoad(
  world: World,
  base: () => string | undefined,
  issuer: string,
  model: Model,
  figures: Figures,
  failures: string[],
  accept: (hop: Hop) => string | undefined,
) {
  let up = true;
  let paused = false;
  let busy = 0;
  const jar = () =>
    new Jar(() => base() ?? 'http://127.0.0.1:1', issuer, (hop) => {
      figures.requests++;
      if (hop.status === 503) figures.unavailable++;
      const key = `${routeOf(hop)} ${hop.status}`;
      figures.statuses.set(key, (figures.statuses.get(key) ?? 0) + 1);
      const problem = accept(hop);
      if (problem) failures.push(`${hop.method} ${hop.path.split('?')[0]} ${problem}`);
    });

  async function signIn(user: User) {
    const j = jar();
    const page = await j.request('GET', '/login');
    if (page.status !== 200) return;
    const answer = await j.submit(page, /^\/login$/, { email: user.email, password: PASSWORD });
    if (answer?.status === 303) {
      if (answer.sessionCookie) model.sessionCookies.add(answer.sessionCookie);
      else failures.push('POST /login answered 303 without a session cookie');
      figures.signIns++;
    }
  }

  async function approve(user: User) {
    const j = jar();
    const { challenge } = pkce();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: world.client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid offline_access orgs:read workitems:read',
      state: randomBytes(8).toString('hex'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      // Mostly the approval page again (OIDC Core §3.1.2.1); otherwise the live grant answers at once.
      ...(Math.random() < 0.8 ? { prompt: 'consent' } : {}),
    });
    const signInPage = await j.open(`/authorize?${query}`);
    // Leaving for the client with an error: only "try again later" (RFC 6749 §4.1.2.1), never server_error.
    const left = signInPage.status >= 300 && signInPage.status < 400 ? signInPage.location : null;
    if (left?.startsWith(REDIRECT) && !/[?&]error=temporarily_unavailable(&|$)/.test(left)) failures.push(`/authorize sent the client ${left}`);
    if (signInPage.status !== 200) return;
    const signedIn = await j.submit(signInPage, /^\/login$/, { email: user.email, password: PASSWORD });
    if (!signedIn || signedIn.status !== 303) return;
    if (signedIn.sessionCookie) model.sessionCookies.add(signedIn.sessionCookie);
    const next = j.ours(signedIn.location);
    if (next === undefined) return;
    const page = await j.open(next);
    const leaving = page.status >= 300 && page.status < 400 ? page.location : null;
    if (leaving?.startsWith(REDIRECT) && !/[?&](code|error=temporarily_unavailable)[=&]?/.test(leaving)) failures.push(`resuming sent the client ${leaving}`);
    if (leaving?.startsWith(REDIRECT)) return; // the live grant already covered it, or "try again later"
    if (page.status !== 200) return;
    const form = findForm(page.body, /\/interaction\/[^/]+\/decision$/);
    if (!form) {
      failures.push(`no approval form after signing in: ${page.status} ${page.body.slice(0, 300)}`);
      return;
    }
    // Now and then keep only one organization, or take a scope away.
    const fields: Record<string, string> = { decision: 'approve' };
    const orgFields = Object.keys(form.hidden).filter((k) => k.startsWith('org_'));
    const roll = Math.random();
    if (roll < 0.3 && orgFields.length > 1) {
      fields.orgs = 'some';
      for (const k of orgFields.slice(1)) form.hidden[k] = '';
    }
    if (roll > 0.8) delete form.hidden['scope_workitems:read'];
    const body = Object.fromEntries(Object.entries({ ...form.hidden, ...fields }).filter(([, v]) => v !== ''));
    const decided = await j.request('POST', j.ours(form.action) ?? form.action, { form: body });
    if (decided.status === 303) {
      if (!decided.location?.startsWith(REDIRECT + '?') || !/[?&]code=/.test(decided.location)) failures.push(`approval redirected to ${decided.location}`);
      else figures.approvals++;
    }
  }

  /** Signs a developer in (a recent sign-in is needed for secrets) and rotates: add one, revoke the oldest at two. */
  async function rotate(dev: World['developers'][number], j: Jar) {
    if (!j.cookies.size || Math.random() < 0.1) {
      const page = await j.request('GET', '/login');
      const answer = page.status === 200 ? await j.submit(page, /^\/login$/, { email: dev.user.email, password: PASSWORD }) : undefined;
      if (answer?.status !== 303) return;
      if (answer.sessionCookie) model.sessionCookies.add(answer.sessionCookie);
    }
    const path = `/developers/api/v1/apps/${dev.appId}/secrets`;
    const list = await j.request('GET', path);
    if (list.status !== 200) return;
    const active = JSON.parse(list.body) as { id: string; created_at?: number }[];
    if (active.length >= 2) {
      const oldest = active[0]!;
      const gone = await j.request('DELETE', `${path}/${oldest.id}`);
      if (gone.status !== 204 && gone.status !== 404 && gone.status !== 503) failures.push(`revoking a secret answered ${gone.status} ${gone.body.slice(0, 200)}`);
      return;
    }
    const mine = model.secrets.get(dev.appId) ?? new Set();
    model.secrets.set(dev.appId, mine);
    const made = await j.request('POST', path, { json: { expires_in_days: 30 } });
    if (made.status === 201) {
      mine.add((JSON.parse(made.body) as { client_secret: string }).client_secret);
      figures.rotations++;
    } else if (made.status !== 409 && made.status !== 503) failures.push(`creating a secret answered ${made.status} ${made.body.slice(0, 200)}`);
  }

  async function savePolicy(owner: World['owners'][number], j: Jar) {
    if (!j.cookies.size) {
      const page = await j.request('GET', '/login');
      const answer = page.status === 200 ? await j.submit(page, /^\/login$/, { email: owner.user.email, password: PASSWORD }) : undefined;
      if (answer?.status !== 303) return;
      if (answer.sessionCookie) model.sessionCookies.add(answer.sessionCookie);
    }
    const settings = await j.request('GET', `/orgs/${owner.slug}/settings`);
    if (settings.status !== 200) return;
    const mode = MODES[Math.floor(Math.random() * MODES.length)]!;
    const state = model.policies.get(owner.orgId) ?? { acked: undefined, uncertain: [] };
    model.policies.set(owner.orgId, state);
    // Uncertain until answered: a kill under this request leaves it so.
    state.uncertain.push(mode);
    let saved = await j.submit(settings, /\/settings\/policy$/, { third_party: mode });
    if (!saved) return void failures.push('no policy form on the settings page');
    // A mode that stops services acting for members asks first (issue 20); the owner confirms.
    if (saved.status === 200 && /name="confirm" value="yes"/.test(saved.body)) {
      saved = await j.submit(saved, /\/settings\/policy$/);
      if (!saved) return void failures.push('no form on the policy confirmation');
    }
    state.uncertain.splice(state.uncertain.lastIndexOf(mode), 1);
    if (saved.status === 303) {
      state.acked = mode;
      state.uncertain = [];
      figures.policies++;
    } else if (saved.status !== 503) failures.push(`saving the policy answered ${saved.status}`);
  }

  async function worker(step: () => Promise<void>, paceMs = 0) {
    while (up) {
      if (paused || base() === undefined) {
        await sleep(20);
        continue;
      }
      busy++;
      try {
        await step();
      } catch {
        // No answer: the process was killed under this request (or the jar's fetch was cut off).
        figures.cutOff++;
      } finally {
        busy--;
      }
      if (paceMs) await sleep(paceMs);
    }
  }

  const devJars = world.developers.map(() => jar());
  const ownerJars = world.owners.map(() => jar());
  const workers = [
    ...world.signers.map((u) => worker(() => signIn(u))),
    ...world.approvers.map((u) => worker(() => approve(u))),
    ...world.developers.map((d, i) => worker(() => rotate(d, devJars[i]!), PACE_MS)),
    ...world.owners.map((o, i) => worker(() => savePolicy(o, ownerJars[i]!), PACE_MS)),
  ];
  return {
    pause: async () => {
      paused = true;
      while (busy > 0) await sleep(10);
    },
    resume: () => {
      paused = false;
    },
    stop: async () => {
      up = false;
      await Promise.all(workers);
    },
  };
}

/** The database against everything promised; pushes what does not hold onto `failures`. */
async function checkInvariants(seed: Deps, world: World, model: Model, figures: Figures, failures: string[]) {
  const db = seed.database.db;
  const now = Math.floor(Date.now() / 1000);

  // Sessions and their sign-in events: one transaction, so the two multisets are equal.
  const sessions = await db.selectFrom('sessions').select(['id', 'user_id', 'created_at', 'auth_time', 'expires_at', 'amr']).execute();
  const events = await db.selectFrom('audit_events').select(['user_id', 'at']).where('type', '=', 'user.signed_in').execute();
  const count = (rows: { user_id: string | null; at: number }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(`${r.user_id} ${Number(r.at)}`, (m.get(`${r.user_id} ${Number(r.at)}`) ?? 0) + 1);
    return m;
  };
  const bySession = count(sessions.map((s) => ({ user_id: s.user_id, at: Number(s.created_at) })));
  const byEvent = count(events);
  for (const [key, n] of bySession) {
    figures.checks++;
    if ((byEvent.get(key) ?? 0) !== n) failures.push(`${n} session(s) of ${key} but ${byEvent.get(key) ?? 0} user.signed_in event(s)`);
  }
  for (const [key, n] of byEvent) if (!bySession.has(key)) failures.push(`${n} user.signed_in event(s) of ${key} without a session`);
  for (const s of sessions) {
    figures.checks++;
    if (!s.user_id || !Array.isArray(JSON.parse(s.amr)) || Number(s.expires_at) <= Number(s.created_at)) failures.push(`an incomplete session row ${JSON.stringify(s)}`);
  }
  const stored = new Set(sessions.map((s) => s.id));
  for (const cookie of model.sessionCookies) {
    figures.checks++;
    if (!stored.has(digest(cookie))) failures.push('a session cookie answered with 303 has no stored session');
  }

  // Grants: complete, within the person's organizations, with the approval's audit event.
  const users = new Set((await db.selectFrom('users').select('id').execute()).map((r) => r.id));
  const apps = new Set((await db.selectFrom('apps').select('id').execute()).map((r) => r.id));
  const memberships = await db.selectFrom('memberships').select(['org_id', 'user_id']).execute();
  const memberOf = new Set(memberships.map((m) => `${m.user_id} ${m.org_id}`));
  const grants = await db.selectFrom('grants').selectAll().execute();
  const approved = await db.selectFrom('audit_events').select(['user_id', 'app_id', 'at']).where('type', '=', 'grant.approved').execute();
  for (const g of grants) {
    figures.checks++;
    const scopes = g.scopes.split(' ').filter(Boolean);
    if (scopes.length === 0) failures.push(`grant ${g.id} has no scopes`);
    if (!users.has(g.user_id) || !apps.has(g.app_id)) failures.push(`grant ${g.id} names a missing person or app`);
    if (g.org_ids !== null) {
      for (const orgId of g.org_ids.split(' ').filter(Boolean)) {
        if (!memberOf.has(`${g.user_id} ${orgId}`)) failures.push(`grant ${g.id} names organization ${orgId}, which its person is not a member of`);
      }
    }
    // The route records the event with the `now` it read before the grant was written (same second or the one before).
    const event = approved.find((e) => e.user_id === g.user_id && e.app_id === g.app_id && Math.abs(Number(e.at) - Number(g.created_at)) <= 2);
    if (!event) failures.push(`grant ${g.id} (created ${g.created_at}) has no grant.approved event`);
  }
  for (const e of approved) {
    figures.checks++;
    if (!grants.some((g) => g.user_id === e.user_id && g.app_id === e.app_id)) failures.push(`a grant.approved event at ${e.at} without its grant`);
  }
  const codes = await db.selectFrom('authorization_codes as c').leftJoin('grants as g', 'g.id', 'c.grant_id').select(['c.family_id', 'g.id as grant']).execute();
  figures.checks += codes.length;
  if (codes.some((c) => c.grant === null)) failures.push('an authorization code without its grant');

  // Secrets: at most two active per app, complete rows, every 201 stored.
  const secrets = await db.selectFrom('app_secrets').selectAll().execute();
  for (const { appId } of world.developers) {
    figures.checks++;
    const active = secrets.filter((s) => s.app_id === appId && s.revoked_at === null && (s.expires_at === null || Number(s.expires_at) > now));
    if (active.length > 2) failures.push(`app ${appId} has ${active.length} active secrets`);
  }
  for (const s of secrets) {
    figures.checks++;
    if (!/^[0-9a-f]{64}$/.test(s.digest) && !/^[A-Za-z0-9_-]{43}$/.test(s.digest)) failures.push(`secret ${s.id} has digest ${s.digest}`);
    if (!apps.has(s.app_id) || !(Number(s.created_at) > 0)) failures.push(`secret ${s.id} is incomplete`);
  }
  const digests = new Set(secrets.map((s) => s.digest));
  for (const values of model.secrets.values()) {
    for (const v of values) {
      figures.checks++;
      if (!digests.has(digest(v))) failures.push('a secret answered 201 is not stored');
    }
  }

  // Policies: a known mode on an existing organization, holding the last answered write.
  const orgs = new Set((await db.selectFrom('organizations').select('id').execute()).map((r) => r.id));
  const policies = await db.selectFrom('org_policies').selectAll().execute();
  for (const p of policies) {
    figures.checks++;
    if (!orgs.has(p.org_id) || !(MODES as readonly string[]).includes(p.third_party)) failures.push(`an invalid policy row ${JSON.stringify(p)}`);
  }
  for (const [orgId, state] of model.policies) {
    if (state.acked === undefined && state.uncertain.length === 0) continue;
    figures.checks++;
    const row = policies.find((p) => p.org_id === orgId);
    const allowed = new Set([...(state.acked ? [state.acked] : []), ...state.uncertain]);
    if (state.acked === undefined && !row) continue;
    if (!row || !allowed.has(row.third_party)) failures.push(`organization ${orgId} has policy ${row?.third_party}; answered ${state.acked}, cut off ${[...state.uncertain]}`);
  }
  // Every organization keeps an owner.
  const owned = new Set(memberships.length ? (await db.selectFrom('memberships').select('org_id').where('role', '=', 'owner').execute()).map((r) => r.org_id) : []);
  for (const o of orgs) if (!owned.has(o)) failures.push(`organization ${o} has no owner`);
}

const newModel = (): Model => ({ sessionCookies: new Set(), secrets: new Map(), policies: new Map() });
const newFigures = (): Figures => ({ requests: 0, cutOff: 0, signIns: 0, approvals: 0, rotations: 0, policies: 0, unavailable: 0, checks: 0, statuses: new Map() });
const summary = (f: Figures, answers = true) =>
  `${f.requests} requests (${f.cutOff} flows cut off, ${f.unavailable} answered 503), ${f.signIns} sign-ins, ${f.approvals} approvals, ${f.rotations} secrets made, ${f.policies} policies saved, ${f.checks} checks${answers ? `; answers ${JSON.stringify(Object.fromEntries([...f.statuses].sort()))}` : ''}`;

for (const dialect of dialects()) {
  describe(`sign-in, approval, secrets and policies: SIGKILL under load, ${KILLS} times (${dialect})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-signin-crash-'));
    const database = 'tessera_signin_crash_' + randomBytes(4).toString('hex');
    const issuer = 'https://tessera.signin-crash.internal';
    let env: Record<string, string>;
    let seed: Deps;
    let server: ServerProcess | undefined;
    let world: World;

    async function admin(text: string) {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(text);
      await c.end();
    }

    before(async () => {
      const databaseUrl = dialect === 'sqlite' ? 'sqlite:' + join(dataDir, 'tessera.db') : POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
      if (dialect === 'postgres') await admin(`CREATE DATABASE ${database}`);
      env = {
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
        PUBLIC_URL: issuer,
        SYNC_INTERVAL_MS: '500',
        // Every sign-in comes from 127.0.0.1: a success gives its room back, but parallel ones each take some.
        THROTTLE_LOGIN_PER_IP: '100000/60',
        THROTTLE_LOGIN_PER_ACCOUNT: '100000/60',
      };
      server = await startServerProcess(env);
      seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
      world = await seedWorld(seed, dialect);
    });

    after(async () => {
      await server?.stop('SIGKILL');
      await seed?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres') await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });

    it('no session without its event, no half-written grant, at most two secrets, valid policies, every 303/201 durable', async () => {
      const model = newModel();
      const figures = newFigures();
      const failures: string[] = [];
      let alive: string | undefined = server!.url;
      // A killed process answers nothing: every answer that arrives must be a normal one (no 5xx at all).
      const load = startLoad(world, () => alive, issuer, model, figures, failures, (hop) => (hop.status >= 500 ? `answered ${hop.status}: ${hop.body.slice(0, 200)}` : undefined));
      try {
        for (let kill = 1; kill <= KILLS; kill++) {
          await sleep(1200 + Math.random() * 1600);
          alive = undefined;
          const killed = server!;
          await killed.stop('SIGKILL');
          await load.pause();
          server = await startServerProcess(env);
          await checkInvariants(seed, world, model, figures, failures);
          // A 5xx was answered by the killed process: its error lines say why.
          const errors = killed.output().split('\n').filter((line) => /"level":(50|60)/.test(line));
          assert.deepEqual(failures, [], `after kill ${kill}: ${failures.slice(0, 5).join('; ')}\n${errors.slice(-5).join('\n').slice(-3000)}`);
          alive = server.url;
          load.resume();
        }
      } finally {
        await load.stop();
      }
      console.log(`sign-in crash ${dialect}: ${KILLS} kills, ${summary(figures)}, 0 failures`);
      assert.ok(figures.cutOff > 0, 'no flow was ever cut off: the kills did not land under load');
      assert.ok(figures.signIns > KILLS && figures.approvals > KILLS, `too little load to mean anything: ${summary(figures)}`);
      assert.ok(figures.rotations > 0 && figures.policies > 0, `no secret rotation or policy write got through: ${summary(figures)}`);
    });
  });
}

// describe.skip is describe with { skip: true }; written as an option, the linter sees node:test's describe.
const noPostgres = !dialects().includes('postgres');

describe('sign-in and approval during a PostgreSQL outage: 503 or the normal answer, back by itself', { skip: noPostgres }, () => {
  let cluster: PgCluster;
  let server: ServerProcess;
  let env: Record<string, string>;
  let world: World;
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-signin-outage-'));

  before(async () => {
    cluster = await startPgCluster();
    env = {
      DATABASE_URL: cluster.url,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      DATA_DIR: dataDir,
      SYNC_INTERVAL_MS: '500',
      THROTTLE_LOGIN_PER_IP: '100000/60',
      THROTTLE_LOGIN_PER_ACCOUNT: '100000/60',
    };
    server = await startServerProcess(env);
    const seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    try {
      world = await seedWorld(seed, 'outage');
    } finally {
      await seed.close();
    }
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await cluster?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stopped under sign-ins and approvals, then started: never a 500, never a cookie without a session, invariants hold', async () => {
    const model = newModel();
    const figures = newFigures();
    const failures: string[] = [];
    let down = false;
    const statuses = new Map<string, number>();
    const accept = (hop: Hop): string | undefined => {
      const key = `${down ? 'down: ' : ''}${routeOf(hop)} ${hop.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (hop.status === 503) return /^\d+$/.test(hop.retryAfter ?? '') ? undefined : 'answered 503 without Retry-After';
      if (hop.status >= 500) return `answered ${hop.status}: ${hop.body.slice(0, 200)}`;
      return undefined;
    };
    const load = startLoad(world, () => server.url, server.url, model, figures, failures, accept);
    let recoveryMs = NaN;
    try {
      // The outage must land under real load: wait for sign-ins and approvals to have gone through
      // (1.5 s at least; on a loaded machine the first approvals can take longer).
      await sleep(1500);
      await until(`sign-ins and approvals before the outage (${summary(figures)})`, () => (figures.signIns > 0 && figures.approvals > 0 ? true : undefined), 20_000);
      const before = { ...figures };
      down = true;
      await cluster.stop();
      await sleep(4000);
      assert.ok(figures.unavailable > 0, `nothing answered 503 while the database was down: ${summary(figures)}`);
      await cluster.start();
      down = false;
      // Sign-in works again within seconds, without restarting Tessera.
      const restored = Date.now();
      const probe = new Jar(() => server.url, server.url, () => {});
      for (;;) {
        const page = await probe.request('GET', '/login');
        const answer = page.status === 200 ? await probe.submit(page, /^\/login$/, { email: world.signers[0]!.email, password: PASSWORD }) : undefined;
        if (answer?.status === 303 && answer.sessionCookie) {
          model.sessionCookies.add(answer.sessionCookie);
          break;
        }
        assert.ok(Date.now() - restored < 10000, `no sign-in succeeded within 10 s of the database's return (last ${answer?.status})`);
        await sleep(100);
      }
      recoveryMs = Date.now() - restored;
      const signInsBefore = figures.signIns;
      await sleep(1500);
      assert.ok(figures.signIns > signInsBefore, 'the load did not sign in again after the database came back');
      assert.ok(before.signIns > 0 && before.approvals > 0, `no load before the outage: ${summary(before)}`);
    } finally {
      await load.stop();
    }
    const seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    try {
      await checkInvariants(seed, world, model, figures, failures);
    } finally {
      await seed.close();
    }
    assert.equal(figures.cutOff, 0, 'a request got no answer (hung or reset) while the database was down');
    console.log(`database stopped under sign-ins: ${summary(figures, false)}; sign-in back ${recoveryMs} ms after the database; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.deepEqual(failures, [], server.output().slice(-3000));
  });
});
