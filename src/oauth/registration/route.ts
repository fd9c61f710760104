/**
 * Dynamic Client Registration: POST /register (RFC 7591 §3) with an initial access token from
 * the operator, and the client configuration endpoint GET/PUT/DELETE /register/:client_id
 * (RFC 7592 §2) with the registration access token issued at registration. Registered only when
 * the operator turned it on (DYNAMIC_REGISTRATION=on). Bad metadata gets 400
 * invalid_redirect_uri / invalid_client_metadata (RFC 7591 §3.2.2); a bad token 401 (RFC 6750 §3).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { FieldError } from '../../domain/app_input.ts';
import { kindOf } from '../../domain/app_input.ts';
import { digest } from '../../crypto/digest.ts';
import { looksLike, randomToken } from '../../crypto/random.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { createApp, deleteApp, updateApp } from '../../services/apps.ts';
import { checkClientMetadata, clientInformation } from './client_metadata.ts';
import { errorText } from '../../http/error_text.ts';

export const REGISTRATION_PATH = '/register';

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
}

function invalidMetadata(reply: FastifyReply, errors: FieldError[]) {
  const code = errors.some((e) => e.code === 'invalid_redirect_uri') ? 'invalid_redirect_uri' : 'invalid_client_metadata';
  const first = errors.find((e) => e.code === code) ?? errors[0]!;
  return send(reply, 400, { error: code, error_description: errorText(`${first.field}: ${first.message}`) });
}

/** RFC 6750 §3: a missing or bad bearer token. */
function invalidToken(reply: FastifyReply) {
  reply.header('www-authenticate', 'Bearer error="invalid_token"');
  return send(reply, 401, { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired.' });
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export default async function registrationRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  if (!deps.config.dynamicRegistration) return;

  /** RFC 7592 §2: the registration access token names the one client it manages. */
  async function managedApp(request: FastifyRequest<{ Params: { id: string } }>): Promise<App | undefined> {
    const token = bearer(request);
    if (!token || !looksLike('initialAccessToken', token)) return undefined;
    const appId = await deps.stores.apps.findByRegistrationToken(digest(token));
    if (appId === undefined || appId !== request.params.id) return undefined;
    return deps.stores.apps.find(appId);
  }

  // RFC 7591 §3.1: the client registration request.
  app.post(REGISTRATION_PATH, async (request, reply) => {
    const token = bearer(request);
    // Checked first and spent only once the metadata is valid, so a typo does not burn the token.
    if (!token || !looksLike('initialAccessToken', token)) return invalidToken(reply);
    const checked = checkClientMetadata(request.body, undefined, deps.config.outbound);
    if (!checked.ok) return invalidMetadata(reply, checked.errors);
    if (!(await deps.stores.apps.spendInitialToken(digest(token), deps.clock.now()))) return invalidToken(reply);

    const { kind, input } = checked.value;
    const created = await createApp(deps, undefined, kind, input, undefined, request.ip);
    const registrationToken = randomToken('initialAccessToken');
    await deps.stores.apps.createRegistrationToken({ digest: digest(registrationToken), kind: 'access', appId: created.app.id, expiresAt: null }, deps.clock.now());
    const method = (request.body as Record<string, unknown>).token_endpoint_auth_method;
    // RFC 7591 §3.2.1: the client information response.
    return send(reply, 201, {
      ...clientInformation(created.app, typeof method === 'string' ? method : 'client_secret_basic'),
      ...(created.secret === undefined ? {} : { client_secret: created.secret, client_secret_expires_at: 0 }),
      registration_access_token: registrationToken,
      registration_client_uri: `${deps.config.issuer}${REGISTRATION_PATH}/${encodeURIComponent(created.app.id)}`,
    });
  });
  rejectOtherMethods(app, REGISTRATION_PATH, ['POST']);

  const clientPath = `${REGISTRATION_PATH}/:id`;

  // RFC 7592 §2.1: read.
  app.get<{ Params: { id: string } }>(clientPath, async (request, reply) => {
    const found = await managedApp(request);
    if (!found) return invalidToken(reply);
    return send(reply, 200, { ...clientInformation(found, 'client_secret_basic'), registration_client_uri: `${deps.config.issuer}${REGISTRATION_PATH}/${encodeURIComponent(found.id)}` });
  });

  // RFC 7592 §2.2: update replaces the metadata; client_id must match, client_secret is ignored.
  app.put<{ Params: { id: string } }>(clientPath, async (request, reply) => {
    const found = await managedApp(request);
    if (!found) return invalidToken(reply);
    const body = request.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && body.client_id !== found.id) {
      return send(reply, 400, { error: 'invalid_client_metadata', error_description: 'client_id: must be the id of this client' });
    }
    const checked = checkClientMetadata(body, kindOf(found), deps.config.outbound);
    if (!checked.ok) return invalidMetadata(reply, checked.errors);
    const updated = await updateApp(deps, undefined, found, checked.value.input, undefined, request.ip);
    return send(reply, 200, { ...clientInformation(updated, 'client_secret_basic'), registration_client_uri: `${deps.config.issuer}${REGISTRATION_PATH}/${encodeURIComponent(found.id)}` });
  });

  // RFC 7592 §2.3: delete; every grant, token and secret goes with it.
  app.delete<{ Params: { id: string } }>(clientPath, async (request, reply) => {
    const found = await managedApp(request);
    if (!found) return invalidToken(reply);
    await deleteApp(deps, undefined, found, request.ip);
    return reply.code(204).header('cache-control', 'no-store').send();
  });
}
