/**
 * The last word on every error that escapes a route: protocol errors render as RFC 6749 §5.2
 * JSON, malformed requests as `invalid_request`, an unreachable database as 503 with Retry-After,
 * and anything else as a generic 500 whose details go only to the log (SECURITY 44).
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest, OAuthError, ServerError, TemporarilyUnavailable } from '../oauth/errors.ts';
import { MalformedParams } from './urlencoded.ts';
import { isDatabaseUnavailable } from '../persistence/unavailable.ts';

/** Maps any thrown value to the OAuth error the client should see. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof MalformedParams) return new InvalidRequest(err.message);
  const fastifyError = err as Partial<FastifyError>;
  if (fastifyError.validation) return new InvalidRequest(fastifyError.message);
  if (isDatabaseUnavailable(err)) return new TemporarilyUnavailable('database unavailable');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new InvalidRequest(fastifyError.code ?? fastifyError.message);
  }
  return new ServerError(err instanceof Error ? err.message : String(err));
}

/** Logs at the right level: client mistakes at info, unavailability at warn, our bugs at error. */
export function logError(request: FastifyRequest, err: unknown, mapped: OAuthError): void {
  if (mapped instanceof ServerError) request.log.error({ err }, 'unhandled error');
  else if (mapped instanceof TemporarilyUnavailable) request.log.warn({ err }, 'dependency unavailable');
  else request.log.info({ error: mapped.error, detail: mapped.detail }, 'request refused');
}

export function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  const status = passthroughStatus(err) ?? err.statusCode;
  return reply.code(status).headers(err.headers).header('cache-control', 'no-store').send(err.toJSON());
}

// 405, 413, 415 and 431 keep their own status; the body is still a plain invalid_request.
function passthroughStatus(err: OAuthError): number | undefined {
  const detail = err.detail ?? '';
  if (detail === 'FST_ERR_CTP_BODY_TOO_LARGE') return 413;
  if (detail === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 415;
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toOAuthError(err);
    logError(request, err, mapped);
    return sendOAuthError(reply, mapped);
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ error: 'not_found', error_description: 'There is nothing at this address.' });
  });
}
