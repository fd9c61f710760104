/**
 * The portal's JSON API under /developers/api/v1: everything the pages do, for the signed-in
 * developer (session cookie). Cross-site requests are refused (403); bodies are JSON, which a
 * cross-site form cannot send without a CORS preflight we never answer. Another developer's app
 * answers 404 like a missing one (SECURITY 51). Described in OpenAPI at /developers/api/v1/openapi.json.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { AppOptions } from '../../deps.ts';
import type { App, AppSecretInfo } from '../../domain/apps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { guardRoutes, requireSignIn, signedInOf } from '../../http/signed_in.ts';
import { defaultCsrfRule, SAME_ORIGIN } from '../../http/form_guard.ts';
import { checkAppInput, checkKind, kindOf, rawInputOf, type FieldError } from '../../domain/app_input.ts';
import type { Organization } from '../../domain/organizations.ts';
import { createApp, createSecret, deleteApp, findManagedApp, listManagedApps, ownedOrgs, revokeSecret, SECRETS_FULL, updateApp } from '../../services/apps.ts';
import { signedInRecently } from '../../services/accounts/sessions.ts';
import { checkOwner } from '../owner_input.ts';
import { readUsage } from '../usage.ts';
import { readInput } from '../read_input.ts';
import { PORTAL } from '../pages/paths.ts';
import { OAuthError } from '../../oauth/errors.ts';
import { appInputSchema, appSchema, createAppSchema, errorSchema, idParams, secretSchema, usageSchema } from './schemas.ts';

const BASE = PORTAL.api;

type Params = { id: string; secret?: string };

function appJson(app: App, org?: Organization) {
  return {
    client_id: app.id,
    owner: org ? { type: 'organization' as const, org: org.slug, name: org.name } : { type: 'user' as const },
    client_type: app.clientType,
    spa: app.spa === true,
    name: app.name,
    description: app.description,
    company: app.publisher,
    company_url: app.companyUrl ?? null,
    website_url: app.websiteUrl,
    terms_url: app.termsUrl ?? null,
    privacy_url: app.privacyUrl ?? null,
    logo_uri: app.logoUrl,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris ?? [],
    scopes: app.scopes,
    require_pushed_authorization_requests: app.requirePar === true,
    dpop_bound_access_tokens: app.dpopBoundAccessTokens === true,
    backchannel_logout_uri: app.backchannelLogoutUri ?? null,
    backchannel_logout_session_required: app.backchannelLogoutSessionRequired === true,
    ssf_endpoint_url: app.ssfEndpointUrl ?? null,
    verified: app.verified,
    created_at: app.createdAt,
  };
}

function secretJson(s: AppSecretInfo) {
  return { id: s.id, created_at: s.createdAt, expires_at: s.expiresAt, last_used_at: s.lastUsedAt };
}

function problem(reply: FastifyReply, status: number, error: string, description: string, fields?: FieldError[]) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description, ...(fields ? { fields } : {}) });
}

/** RFC 7591 §3.2.2: invalid_redirect_uri when a redirect URI is at fault, else invalid_client_metadata. */
function invalidMetadata(reply: FastifyReply, errors: FieldError[]) {
  const code = errors.some((e) => e.code === 'invalid_redirect_uri') ? 'invalid_redirect_uri' : 'invalid_client_metadata';
  const first = errors.find((e) => e.code === code) ?? errors[0]!;
  return problem(reply, 400, code, `${first.field}: ${first.message}`, errors);
}

const doc = (summary: string, extra: Record<string, unknown> = {}) => ({ tags: ['apps'], summary, ...extra });

export default async function portalApi(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Tessera developer portal API', version: '1' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tessera_session' } } },
      security: [{ session: [] }],
    },
  });
  // Bodies are checked by app_input.ts, like the pages, so errors carry RFC 7591 codes.
  app.setValidatorCompiler(() => () => true);

  app.get(`${BASE}/openapi.json`, { schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-store').send(app.swagger()));

  // Every call needs a session (401 otherwise, before any handler); a cross-site write is refused
  // by the form guard (SAME_ORIGIN, src/http/form_guard.ts). Issue 13.
  const signIn = requireSignIn((_request, reply) => problem(reply, 401, 'login_required', `Sign in at ${PORTAL.signIn()} first.`));
  guardRoutes(app, signIn);
  defaultCsrfRule(app, SAME_ORIGIN);

  /** An app this developer manages (theirs, or an organization's they own), or a 404 already sent (SECURITY 51). */
  async function own(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<{ signedIn: SignedIn; app: App; org?: Organization } | undefined> {
    const signedIn = await signedInOf(request);
    const found = await findManagedApp(deps, signedIn.user, request.params.id);
    if (!found) {
      void problem(reply, 404, 'not_found', 'There is no such app among yours.');
      return undefined;
    }
    return { signedIn, ...found };
  }

  function needsRecentSignIn(reply: FastifyReply, signedIn: SignedIn): boolean {
    if (signedInRecently(deps, signedIn.session)) return false;
    void problem(reply, 401, 'reauthentication_required', `Managing secrets needs a sign-in within the last ${Math.ceil(deps.config.ttl.stepUp / 60)} minutes: sign in again at ${PORTAL.signIn()}.`);
    return true;
  }

  app.get(`${BASE}/apps`, { schema: doc('List the apps you manage: yours and those of organizations you own', { response: { 200: { type: 'array', items: appSchema } } }) }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    return reply.header('cache-control', 'no-store').send((await listManagedApps(deps, signedIn.user)).map((m) => appJson(m.app, m.org)));
  });

  app.post(`${BASE}/apps`, { schema: doc('Register an app; the answer carries client_secret once', { body: createAppSchema, response: { 400: errorSchema } }) }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const input = readInput(request);
    const kind = checkKind(input.raw);
    if (!kind.ok) return invalidMetadata(reply, kind.errors);
    const checked = checkAppInput(input.raw, kind.value, deps.config.outbound);
    if (!checked.ok) return invalidMetadata(reply, checked.errors);
    const owner = checkOwner(input.raw, await ownedOrgs(deps, signedIn.user));
    if (!owner.ok) return invalidMetadata(reply, owner.errors);
    const created = await createApp(deps, signedIn.user, kind.value, checked.value, undefined, request.ip, owner.value);
    const body = { ...appJson(created.app, owner.value), ...(created.secret === undefined ? {} : { client_secret: created.secret }) };
    return reply.code(201).header('cache-control', 'no-store').send(body);
  });

  app.get<{ Params: Params }>(`${BASE}/apps/:id`, { schema: doc('One of your apps', { params: idParams, response: { 200: appSchema, 404: errorSchema } }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    return own_ ? reply.header('cache-control', 'no-store').send(appJson(own_.app, own_.org)) : reply;
  });

  app.put<{ Params: Params }>(`${BASE}/apps/:id`, { schema: doc('Replace the profile of an app (kind cannot change)', { params: idParams, body: appInputSchema }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_) return reply;
    const input = readInput(request);
    const checked = checkAppInput(input.raw, kindOf(own_.app), deps.config.outbound);
    if (!checked.ok) return invalidMetadata(reply, checked.errors);
    const updated = await updateApp(deps, own_.signedIn.user, own_.app, checked.value, undefined, request.ip);
    return reply.header('cache-control', 'no-store').send(appJson(updated, own_.org));
  });

  app.delete<{ Params: Params }>(`${BASE}/apps/:id`, { schema: doc('Delete an app with every grant, token and secret', { params: idParams }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_) return reply;
    await deleteApp(deps, own_.signedIn.user, own_.app, request.ip);
    return reply.code(204).send();
  });

  app.put<{ Params: Params }>(`${BASE}/apps/:id/logo`, { schema: doc('Upload the logo (multipart field "logo": PNG or JPEG, at most 256 KB)', { params: idParams, consumes: ['multipart/form-data'] }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_) return reply;
    const input = readInput(request);
    if (input.logoError || !input.logo) return invalidMetadata(reply, [input.logoError ?? { field: 'logo', code: 'invalid_client_metadata', message: 'send a multipart field named logo' }]);
    const checked = checkAppInput(rawInputOf(own_.app), kindOf(own_.app), deps.config.outbound);
    if (!checked.ok) return invalidMetadata(reply, checked.errors);
    const updated = await updateApp(deps, own_.signedIn.user, own_.app, checked.value, input.logo, request.ip);
    return reply.header('cache-control', 'no-store').send(appJson(updated, own_.org));
  });

  app.get<{ Params: Params }>(`${BASE}/apps/:id/secrets`, { schema: doc('Active secrets (never the secret itself)', { params: idParams, response: { 200: { type: 'array', items: secretSchema } } }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_) return reply;
    return reply.header('cache-control', 'no-store').send((await deps.stores.apps.listSecrets(own_.app.id)).map(secretJson));
  });

  app.post<{ Params: Params }>(`${BASE}/apps/:id/secrets`, { schema: doc('Create a secret (at most two active; needs a recent sign-in); shown once', { params: idParams, body: { type: 'object', properties: { expires_in_days: { type: 'integer', minimum: 1, maximum: 3650 } } } }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_ || needsRecentSignIn(reply, own_.signedIn)) return reply;
    const body = (request.body ?? {}) as { expires_in_days?: unknown };
    const days = body.expires_in_days;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650)) {
      return invalidMetadata(reply, [{ field: 'expires_in_days', code: 'invalid_client_metadata', message: 'must be a whole number of days from 1 to 3650' }]);
    }
    const made = await createSecret(deps, own_.signedIn.user, own_.app, days === undefined ? null : deps.clock.now() + days * 86400, request.ip);
    if ('refused' in made) return problem(reply, 409, 'conflict', made.refused === 'limit' ? SECRETS_FULL : 'Public apps have no secret.');
    const info = (await deps.stores.apps.listSecrets(own_.app.id)).find((s) => s.id === made.id);
    return reply.code(201).header('cache-control', 'no-store').send({ ...(info ? secretJson(info) : { id: made.id }), client_secret: made.secret });
  });

  app.delete<{ Params: Params }>(`${BASE}/apps/:id/secrets/:secret`, { schema: doc('Revoke a secret: it stops working at once', { params: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } } } }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_ || needsRecentSignIn(reply, own_.signedIn)) return reply;
    const revoked = await revokeSecret(deps, own_.signedIn.user, own_.app, request.params.secret ?? '', request.ip);
    return revoked ? reply.code(204).send() : problem(reply, 404, 'not_found', 'There is no such active secret.');
  });

  app.get<{ Params: Params }>(`${BASE}/apps/:id/usage`, { schema: doc('People with an active grant; token responses and errors by code per day (30 days)', { params: idParams, response: { 200: usageSchema, 404: errorSchema } }) }, async (request, reply) => {
    const own_ = await own(request, reply);
    if (!own_) return reply;
    const usage = await readUsage(deps, own_.app.id);
    return reply.header('cache-control', 'no-store').send({
      active_grants: usage.activeGrants,
      tokens_per_day: usage.tokensPerDay,
      errors_per_day: usage.errorsPerDay,
      errors_by_code: usage.errorsByCode,
    });
  });

  app.setErrorHandler((err, request, reply) => {
    request.log.info({ err }, 'portal api error');
    // A refusal of the service layer (AppSuspended from services/apps.ts) keeps its code and fixed text, as RFC 7592 management answers it.
    if (err instanceof OAuthError && err.statusCode < 500) return problem(reply, err.statusCode, err.error, err.description);
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return problem(reply, status, 'invalid_request', 'The request could not be read.');
    throw err;
  });
}
