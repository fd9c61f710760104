/**
 * What the portal does to apps, whichever way it is asked (pages or JSON API). Handlers stay
 * thin: they read input, call one of these, and render the outcome.
 * @module
 */
import { CAUSES } from '../domain/security_events.ts';
import type { Deps } from '../deps.ts';
import type { Stores } from '../domain/stores.ts';
import { actorDetail, type Actor } from '../domain/audit.ts';
import type { App, AppLogo, AppSecretInfo } from '../domain/apps.ts';
import type { User } from '../domain/users.ts';
import type { Organization } from '../domain/organizations.ts';
import { digest } from '../crypto/digest.ts';
import { randomToken, randomClientId } from '../crypto/random.ts';
import { clientTypeOf, type AppInput, type AppKind } from '../domain/app_input.ts';
import { logoPath } from '../domain/app_logo.ts';
import { AppSuspended } from '../oauth/errors.ts';

type PortalDeps = Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker' | 'suspensions'>;

/**
 * Issue 21: while the platform suspends an app, its owners (portal pages and API) and the app
 * itself (RFC 7592 management) may not change its profile or delete it — the operator reviews it
 * as it was, and the people's grants stay for the unsuspend. Secrets may still be created and
 * revoked: after a leaked secret the owner rotates during the suspension, which gives nothing back
 * (every call of a suspended app is refused). Only the operator unsuspends (`tessera app unsuspend`).
 */
function refuseWhileSuspended(deps: Pick<Deps, 'suspensions'>, app: App): void {
  if (deps.suspensions.isSuspended(app.id)) throw new AppSuspended('change to a suspended app');
}

/** Two live secrets at a time: create a second, switch over, revoke the first (issue 5). */
export const MAX_LIVE_SECRETS = 2;

/** What the portal's page and JSON API say when a secret beyond MAX_LIVE_SECRETS is refused. */
export const SECRETS_FULL = 'Two secrets are active already: revoke one first.';

/** Whether `secrets` (unrevoked, as listSecrets gives them) hold the limit, counted as addSecret counts: unexpired ones. */
export function secretsFull(secrets: readonly AppSecretInfo[], now: number): boolean {
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).length >= MAX_LIVE_SECRETS;
}

/**
 * The app, only if this person may manage it: they own it, or an organization owns it and they
 * are one of its owners. Someone else's app, an app of an organization where the person is only a
 * member, and an app that does not exist all look the same (404), so ids cannot be probed
 * (SECURITY 51, ASVS 8.2.2).
 */
export async function findOwnApp(deps: Pick<Deps, 'stores'>, user: User, appId: string): Promise<App | undefined> {
  return (await findManagedApp(deps, user, appId))?.app;
}

export interface ManagedApp {
  app: App;
  /** The owning organization, when an organization owns the app. */
  org?: Organization;
}

export async function findManagedApp(deps: Pick<Deps, 'stores'>, user: User, appId: string): Promise<ManagedApp | undefined> {
  if (appId.length > 100) return undefined;
  const app = await deps.stores.apps.find(appId);
  if (!app) return undefined;
  if (app.ownerUserId === user.id) return { app };
  const orgId = await deps.stores.appOwners.orgOf(app.id);
  if (orgId === undefined) return undefined;
  const org = (await ownedOrgs(deps, user)).find((o) => o.id === orgId);
  return org ? { app, org } : undefined;
}

/** Organizations where this person is an owner: the ones whose apps they manage and may create. */
export async function ownedOrgs(deps: Pick<Deps, 'stores'>, user: User): Promise<Organization[]> {
  return (await deps.stores.organizations.listForUser(user.id)).filter((m) => m.role === 'owner').map((m) => m.org);
}

/** Every app this person manages: their own, then those of organizations they own, newest first. */
export async function listManagedApps(deps: Pick<Deps, 'stores'>, user: User): Promise<ManagedApp[]> {
  const orgs = await ownedOrgs(deps, user);
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const own = (await deps.stores.apps.listByOwner(user.id)).map((app) => ({ app }));
  const orgApps: ManagedApp[] = [];
  for (const { appId, orgId } of await deps.stores.appOwners.listByOrgs(orgs.map((o) => o.id))) {
    const app = await deps.stores.apps.find(appId);
    if (app) orgApps.push({ app, org: byId.get(orgId)! });
  }
  return [...own, ...orgApps];
}

function profile(app: App, input: AppInput): App {
  return {
    ...app,
    name: input.name,
    description: input.description,
    publisher: input.company || app.publisher,
    companyUrl: input.companyUrl,
    websiteUrl: input.websiteUrl,
    termsUrl: input.termsUrl,
    privacyUrl: input.privacyUrl,
    redirectUris: input.redirectUris,
    postLogoutRedirectUris: input.postLogoutRedirectUris,
    scopes: input.scopes,
    deviceFlow: input.deviceFlow,
    requirePar: input.requirePar,
    dpopBoundAccessTokens: input.dpopBoundAccessTokens,
    backchannelLogoutUri: input.backchannelLogoutUri,
    backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired,
    ssfEndpointUrl: input.ssfEndpointUrl,
  };
}

export interface Created {
  app: App;
  /** Shown once, never stored (RFC 6819 §5.1.4.1.3, SECURITY 16). */
  secret?: string;
}

/**
 * `owner` is undefined for a client registered dynamically (RFC 7591): it has no owner in the
 * portal. With `org`, the app belongs to that organization (the caller checked that `owner` is
 * one of its owners): it is created as the person's and handed over in a second write, so a
 * failure in between leaves it with its creator, never with no one.
 */
export async function createApp(deps: PortalDeps, owner: User | undefined, kind: AppKind, input: AppInput, logo: AppLogo | undefined, ip: string, org?: Organization): Promise<Created> {
  const now = deps.clock.now();
  const base: App = {
    id: randomClientId(),
    name: '',
    description: '',
    publisher: org?.name ?? owner?.name ?? 'Unknown publisher',
    websiteUrl: null,
    logoUrl: null,
    redirectUris: [],
    clientType: clientTypeOf(kind),
    // Issue 18: a single-page app is a public client that runs in a browser (CORS, 24 h refresh tokens).
    spa: kind === 'spa',
    scopes: [],
    ownerUserId: owner?.id ?? null,
    // Verification is the operator's review, never self-declared (SECURITY 50).
    verified: false,
    createdAt: now,
  };
  const app = profile(base, input);
  if (logo) app.logoUrl = deps.config.issuer + logoPath(app.id);
  const secret = app.clientType === 'confidential' ? randomToken('clientSecret') : undefined;
  await deps.stores.apps.create(app, secret === undefined ? undefined : digest(secret), now);
  if (org) {
    await deps.stores.appOwners.moveToOrg(app.id, org.id, now);
    app.ownerUserId = null;
  }
  if (logo) await deps.stores.apps.setLogo(app.id, logo, now);
  const detail = { via: owner ? 'portal' : 'registration', ...(org ? { org: org.slug } : {}) };
  await deps.stores.audit.record({ type: 'app.created', userId: owner?.id ?? null, appId: app.id, ip, detail }, now);
  return secret === undefined ? { app } : { app, secret };
}

export async function updateApp(deps: PortalDeps, user: User | undefined, app: App, input: AppInput, logo: AppLogo | undefined, ip: string): Promise<App> {
  refuseWhileSuspended(deps, app);
  const now = deps.clock.now();
  const updated = profile(app, input);
  if (logo) {
    await deps.stores.apps.setLogo(app.id, logo, now);
    updated.logoUrl = deps.config.issuer + logoPath(app.id);
  }
  await deps.stores.apps.update(updated, now);
  await deps.stores.audit.record({ type: 'app.updated', userId: user?.id ?? null, appId: app.id, ip, detail: {} }, now);
  return updated;
}

export type NewSecret = { secret: string; id: string } | { refused: 'limit' | 'public' };

export async function createSecret(deps: PortalDeps, user: User, app: App, expiresAt: number | null, ip: string): Promise<NewSecret> {
  if (app.clientType !== 'confidential') return { refused: 'public' };
  const now = deps.clock.now();
  const secret = randomToken('clientSecret');
  const id = await deps.stores.apps.addSecret(app.id, digest(secret), expiresAt, MAX_LIVE_SECRETS, now);
  if (id === undefined) return { refused: 'limit' };
  await deps.stores.audit.record({ type: 'app_secret.created', userId: user.id, appId: app.id, ip, detail: { secretId: id } }, now);
  return { secret, id };
}

export type ReplacedSecrets = { secret: string; id: string; revoked: number } | { refused: 'public' | 'unknown_app' };

/**
 * An operator's answer to a leaked secret (docs/operators.md, "The bad day"): a new secret, then
 * every other secret of the app revoked, so the leaked one is refused at the next request on every
 * node (client authentication reads secrets per request; the CLI's app store announces the change).
 * The new one is added before the old go, past the two-secret limit for that moment: a crash in
 * between leaves the old secrets working and running the command again finishes the job.
 */
export async function replaceSecrets(deps: { stores: Pick<Stores, 'apps' | 'audit'> }, app: App, now: number, actor: Actor): Promise<ReplacedSecrets> {
  if (app.clientType !== 'confidential') return { refused: 'public' };
  const secret = randomToken('clientSecret');
  const id = await deps.stores.apps.addSecret(app.id, digest(secret), null, Number.MAX_SAFE_INTEGER, now);
  if (id === undefined) return { refused: 'unknown_app' };
  // Read after the add: a secret an owner made meanwhile goes too.
  const live = await deps.stores.apps.findWithLiveSecrets(app.id, now);
  let revoked = 0;
  for (const old of live?.secrets ?? []) if (old.id !== id && (await deps.stores.apps.revokeSecret(app.id, old.id, now))) revoked++;
  await deps.stores.audit.record({ type: 'app_secret.replaced', userId: actor.userId ?? null, appId: app.id, detail: { ...actorDetail(actor), secretId: id, revoked } }, now);
  return { secret, id, revoked };
}

/** Revoked secrets stop working at the next request: client authentication reads them per request. */
export async function revokeSecret(deps: PortalDeps, user: User, app: App, secretId: string, ip: string): Promise<boolean> {
  const now = deps.clock.now();
  const revoked = await deps.stores.apps.revokeSecret(app.id, secretId, now);
  if (revoked) await deps.stores.audit.record({ type: 'app_secret.revoked', userId: user.id, appId: app.id, ip, detail: { secretId } }, now);
  return revoked;
}

/**
 * Deletes the app. Each live grant is revoked through the revoker first, so its access tokens
 * are denied on every node at once; then the app and everything under it goes in one transaction.
 */
export async function deleteApp(deps: PortalDeps, user: User | undefined, app: App, ip: string): Promise<void> {
  refuseWhileSuspended(deps, app);
  for (const grantId of await deps.stores.apps.liveGrantIds(app.id, deps.clock.now())) {
    await deps.revoker.revokeGrant(grantId, 'app_deleted', CAUSES.appDeleted);
  }
  await deps.stores.apps.delete(app.id);
  await deps.stores.audit.record({ type: 'app.deleted', userId: user?.id ?? null, appId: app.id, ip, detail: { name: app.name } }, deps.clock.now());
}
