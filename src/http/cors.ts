/**
 * CORS (Fetch standard, "CORS protocol"): which browser origins may read Tessera's answers. One
 * table, one place; every policy answers without `Access-Control-Allow-Credentials`, so no page
 * on another origin can ever read an answer to a request that carried our cookies (a credentialed
 * request is readable only with it, SECURITY 39).
 *
 * - `client` (/token, /revoke, /par, /userinfo): only single-page apps, only from the origins of
 *   their registered redirect URIs (issue 18, draft-ietf-oauth-browser-based-apps §6.3.3.4). A
 *   preflight has no body, so it is answered for an origin that some single-page app registered
 *   (`deps.spaOrigins`); the actual request is then checked against the one app it names: the
 *   body's `client_id`, or at /userinfo the client the verified token was issued to
 *   (`allowClientOrigin`). A confidential app never gets CORS: its secret must not be in a browser.
 *   Nor does a native or command-line public client: it does not run in a browser, and an app
 *   declared single-page also gets the browser's refresh-token rule (24 hours unless DPoP-bound).
 * - `public` (discovery, JWKS): public metadata, `*`. Their GET routes set it themselves; only the
 *   preflight is answered here.
 * - the platform API (`registerApiCors`): bearer tokens only, never a cookie, so `*` lets any page
 *   call it with a token it holds and with nothing else, as GitHub's API does.
 *
 * Anything else gets no CORS header: /authorize and every page above all (SECURITY 7), and
 * /introspect (confidential clients only). No hook is attached to those routes, so they pay nothing.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestAsyncHookHandler, onRequestHookHandler, onSendAsyncHookHandler, RouteOptions } from 'fastify';
import type { Deps } from '../deps.ts';
import { ENDPOINTS } from '../oauth/endpoints.ts';
import { originsOf } from '../domain/spa.ts';

/** What a browser client must be able to send: a DPoP client sends its proof in `DPoP` (RFC 9449 §4.1). */
const CLIENT_REQUEST_HEADERS = 'Authorization, Content-Type, DPoP';
/** What it must be able to read: the challenge of a 401 (RFC 6750 §3), and a server nonce (RFC 9449 §8). */
const CLIENT_EXPOSED_HEADERS = 'WWW-Authenticate, DPoP-Nonce';
/** How long a browser may keep a preflight's answer; a removed app is still refused on the actual request. */
const MAX_AGE = '600';

const CLIENT_ENDPOINTS: Record<string, string> = {
  [ENDPOINTS.token]: 'POST',
  [ENDPOINTS.revocation]: 'POST',
  // RFC 9126 §2: a single-page app pushes its request like it redeems its code; an app with
  // require_pushed_authorization_requests could not sign in from a browser otherwise.
  [ENDPOINTS.pushedAuthorizationRequest]: 'POST',
  [ENDPOINTS.userinfo]: 'GET, POST',
};

const PUBLIC_ENDPOINTS = new Set<string>(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', ENDPOINTS.jwks]);

/** The platform API: its methods and the headers its callers send and read (ETag and If-Match for updates, the rate limit). */
const API_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const API_REQUEST_HEADERS = 'Authorization, Content-Type, DPoP, If-Match';
const API_EXPOSED_HEADERS = 'WWW-Authenticate, DPoP-Nonce, ETag, Location, Link, Retry-After, RateLimit, RateLimit-Policy';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route that knows the client only after reading the request (/userinfo: the token's); null otherwise. */
    corsClientId: string | null;
  }
}

/** Lets the CORS answer of this request be decided for `clientId` (the client of the verified token). */
export function allowClientOrigin(request: FastifyRequest, clientId: string): void {
  request.corsClientId = clientId;
}

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;
}

function approvePreflight(reply: FastifyReply, origin: string, methods: string, headers: string): FastifyReply {
  return reply
    .code(204)
    .header('access-control-allow-origin', origin)
    .header('access-control-allow-methods', methods)
    .header('access-control-allow-headers', headers)
    .header('access-control-max-age', MAX_AGE)
    .send();
}

function hooksOf<T>(existing: T | T[] | undefined): T[] {
  return existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
}

function methodsOf(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

/** The client a request names in its form body (a public client's `client_id`, RFC 6749 §2.3.1 / §3.2.1). */
function clientOf(request: FastifyRequest): string | undefined {
  if (request.corsClientId !== null) return request.corsClientId;
  const body = request.body as Record<string, unknown> | undefined;
  const id = body && typeof body === 'object' ? body.client_id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Attaches the CORS hooks by route, at registration: only the routes of the table get one, and
 * each only the one it needs (a preflight hook on the route that takes OPTIONS, which otherwise
 * answers 405; an answer hook on the endpoint itself).
 */
export function registerCors(app: FastifyInstance, deps: Pick<Deps, 'spaOrigins' | 'clients'>): void {
  app.decorateRequest('corsClientId', null);
  const clientPreflight = (methods: string): onRequestAsyncHookHandler =>
    async function clientPreflight(request, reply) {
      reply.header('vary', 'Origin');
      if (!isPreflight(request)) return;
      const origin = request.headers.origin!;
      // §6.3.3.4: the preflight can only be checked against the origin; the actual request is checked against its client.
      if (await deps.spaOrigins.has(origin)) return approvePreflight(reply, origin, methods, CLIENT_REQUEST_HEADERS);
    };

  const clientAnswer: onSendAsyncHookHandler = async function clientAnswer(request, reply, payload) {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    const clientId = origin === undefined ? undefined : clientOf(request);
    if (clientId === undefined) return payload;
    // The endpoint's answer stands whatever happens here: a failed read (database down) only means no CORS.
    const app = await deps.clients.get(clientId).then((found) => found?.app, () => undefined);
    if (app?.spa === true && app.clientType === 'public' && originsOf(app.redirectUris).includes(origin!)) {
      reply.header('access-control-allow-origin', origin!).header('access-control-expose-headers', CLIENT_EXPOSED_HEADERS);
    }
    return payload;
  };

  const publicPreflight: onRequestHookHandler = function publicPreflight(request, reply, done: HookHandlerDoneFunction) {
    if (!isPreflight(request)) return done();
    approvePreflight(reply, '*', 'GET', 'Content-Type');
  };

  app.addHook('onRoute', (route) => {
    const url = route.url;
    const clientMethods = Object.hasOwn(CLIENT_ENDPOINTS, url) ? CLIENT_ENDPOINTS[url] : undefined;
    const takesOptions = methodsOf(route).includes('OPTIONS');
    if (clientMethods !== undefined) {
      if (takesOptions) route.onRequest = [clientPreflight(clientMethods), ...hooksOf(route.onRequest)];
      else route.onSend = [...hooksOf(route.onSend), clientAnswer];
    } else if (PUBLIC_ENDPOINTS.has(url) && takesOptions) {
      route.onRequest = [publicPreflight, ...hooksOf(route.onRequest)];
    }
  });
}

/**
 * The platform API's CORS, as an `onRequest` hook of the API plugin registered before the bearer
 * check, so a 401 is readable too: `*`, never credentials (the API reads no cookie). Two constant
 * headers and no allocation on the hot path; a preflight is answered for any path and origin.
 */
export function registerApiCors(api: FastifyInstance): void {
  api.addHook('onRequest', function apiCors(request, reply, done: HookHandlerDoneFunction) {
    reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', API_EXPOSED_HEADERS);
    if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return done();
    approvePreflight(reply, '*', API_METHODS, API_REQUEST_HEADERS);
  });
}
