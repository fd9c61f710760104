/**
 * buildApp(deps): the whole HTTP surface as encapsulated Fastify plugins. It never listens;
 * main.ts does, and tests call `app.inject()`.
 * @module
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { AppOptions, Deps } from './deps.ts';
import { registerErrorHandling, sendOAuthError } from './http/error_handler.ts';
import { InvalidRequest } from './oauth/errors.ts';
import { registerErrorCounting } from './http/error_counting.ts';
import { registerSecurityHeaders } from './http/security_headers.ts';
import { registerFormBody } from './http/form_body.ts';
import { MalformedParams, malformedQueryError, parseQueryString } from './http/urlencoded.ts';
import { holdsNul } from './http/nul.ts';
import { registerRequestMetrics } from './ops/request_metrics.ts';
import { lazyRequestLoggers } from './ops/request_logger.ts';
import { registerSignedIn } from './http/signed_in.ts';
import { registerFormGuard, defaultCsrfRule, exempt } from './http/form_guard.ts';
import { registerCors } from './http/cors.ts';
import { sendForbidden } from './interaction/views/error_page.tsx';
import { registerStatusPages } from './http/status_pages.ts';
import { statusPage } from './interaction/views/status_page.tsx';
import { registerBrand } from './interaction/views/brand.tsx';
import discoveryRoutes from './oauth/discovery/route.ts';
import jwksRoutes from './oauth/jwks/route.ts';
import authorizeRoutes from './oauth/authorize/route.ts';
import tokenRoutes from './oauth/token/route.ts';
import revocationRoutes from './oauth/revoke/route.ts';
import introspectionRoutes from './oauth/introspect/route.ts';
import ssfRoutes from './oauth/ssf/route.ts';
import userinfoRoutes from './oauth/userinfo/route.ts';
import interactionRoutes from './interaction/routes.ts';
import { authorizationPages } from './interaction/authorization_pages.ts';
import { decide } from './oauth/authorize/decide.ts';
import apiRoutes from './api/routes.ts';
import opsRoutes from './ops/routes.ts';
import portalRoutes from './portal/routes.ts';
import registrationRoutes from './oauth/registration/route.ts';
import deviceAuthorizationRoutes from './oauth/device_authorization/route.ts';
import pushedAuthorizationRoutes from './oauth/par/route.ts';

export type { AppOptions } from './deps.ts';

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // A request's logger is made when it first writes, not for every request (ops/request_logger.ts).
    childLoggerFactory: lazyRequestLoggers,
    // Form bodies and JSON are small here; a 10 MB post is refused before it is read (SECURITY 42).
    bodyLimit: 64 * 1024,
    routerOptions: {
      querystringParser: (query: string) => parseQueryString(query),
      maxParamLength: 200,
    },
    // A path that is not valid percent-encoded UTF-8, or a parameter over maxParamLength, fails in
    // the router before any handler: answer a plain 400 invalid_request, not Fastify's own body
    // (which names its error code and echoes the URL). SECURITY 44; found by fuzz_json.test.ts.
    frameworkErrors: (err, _request, reply) => {
      sendOAuthError(reply, new InvalidRequest(err.code));
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: 30000,
    // A request that reaches a closing server on an open connection is served (the database closes
    // only after the server), with `Connection: close`: a 503 there failed requests in a rolling
    // restart (SECURITY R6; test/reliability/nodes.test.ts).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // TRUST_PROXY: off unless set, so X-Forwarded-For is ignored (SECURITY 32); a hop count trusts the nearest proxies.
    trustProxy: ((t) => (typeof t === 'number' ? (_address: string, hop: number) => hop < t : t))(deps.config.trustProxy),
  });

  registerErrorHandling(app);
  // PRODUCT_NAME and PRODUCT_LOGO, for every page's frame (issue 20).
  registerBrand(app, deps.config);
  registerErrorCounting(app, deps);
  registerSecurityHeaders(app, { secure: deps.config.secure });
  // A browser gets a page for a 404 or 405, a JSON client its JSON (issue 20).
  registerStatusPages(app, statusPage);
  registerFormBody(app);
  // A malformed query string is refused here, inside Fastify's error handling (see parseQueryString).
  // Callback-style hooks here and below: every request runs them, and an async hook costs a
  // promise and a microtask each (docs/performance.md, issue 14).
  app.addHook('onRequest', (request, _reply, done) => {
    const err = malformedQueryError(request.query);
    if (err) return done(err);
    done();
  });
  // A NUL in a path segment (`/apps/%00`) or a JSON body is refused like one in a query (SECURITY
  // 42): PostgreSQL cannot even compare it with a text column, so it would be a 500. Found by
  // fuzz_json.test.ts (paths) and the route-table sweep (the passkey steps' JSON).
  app.addHook('preValidation', (request, _reply, done) => {
    const params = request.params as Record<string, unknown> | undefined;
    if (params && Object.values(params).some((v) => typeof v === 'string' && v.includes('\u0000'))) return done(new MalformedParams('NUL in the path'));
    // Forms are checked as they are decoded (urlencoded.ts); only JSON needs the walk.
    if (request.headers['content-type']?.includes('json') && holdsNul(request.body)) return done(new MalformedParams('NUL in the body'));
    done();
  });
  registerRequestMetrics(app, deps.metrics);
  await app.register(cookie);
  // Who is signed in, and the CSRF rule every state-changing route declares (issue 13).
  registerSignedIn(app, deps);
  registerFormGuard(app, {
    issuer: deps.config.issuer,
    formKey: deps.formKey,
    refusePage: sendForbidden,
    refuseJson: (reply) => reply.code(403).header('cache-control', 'no-store').send({ error: 'forbidden', error_description: 'Cross-site requests are refused.' }),
  });

  // Which origins may read which answers (issue 18): hooks attached by route, only where CORS applies.
  registerCors(app, deps);

  const options: AppOptions = { deps };
  // The protocol and the API authenticate clients and bearer tokens, never a session cookie: no
  // form token applies, and a POST to /authorize is read like its GET (SECURITY 7).
  await app.register(async (protocol) => {
    defaultCsrfRule(protocol, exempt('OAuth/OIDC endpoint: client authentication, bearer token, or read like GET'));
    await protocol.register(discoveryRoutes, options);
    await protocol.register(jwksRoutes, options);
    // The protocol renders pages only through this interface, and the pages continue an
    // authorization only through `decide`: neither imports the other (issue 13).
    await protocol.register(authorizeRoutes, { ...options, pages: authorizationPages(deps) });
    await protocol.register(tokenRoutes, options);
    await protocol.register(revocationRoutes, options);
    await protocol.register(introspectionRoutes, options);
    await protocol.register(ssfRoutes, options);
    await protocol.register(userinfoRoutes, options);
    await protocol.register(registrationRoutes, options);
    await protocol.register(deviceAuthorizationRoutes, options);
    await protocol.register(pushedAuthorizationRoutes, options);
  });
  await app.register(async (api) => {
    defaultCsrfRule(api, exempt('platform API: bearer token'));
    await api.register(apiRoutes, options);
    await api.register(opsRoutes, options);
  });
  await app.register(interactionRoutes, { ...options, decide });
  await app.register(portalRoutes, options);
  return app;
}
