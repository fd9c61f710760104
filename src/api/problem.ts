/**
 * Errors of the platform API as RFC 9457 problem details with a stable `code`. Bearer-token
 * failures also carry the RFC 6750 §3 `WWW-Authenticate` challenge.
 * @module
 */
import type { FastifyReply } from 'fastify';

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'not_found'
  | 'temporarily_unavailable'
  | 'server_error';

const TITLES: Record<ApiErrorCode, string> = {
  invalid_request: 'The request is malformed.',
  invalid_token: 'The access token is missing, invalid, expired or revoked.',
  insufficient_scope: 'The access token does not carry the scope this request needs.',
  not_found: 'There is nothing here, or you may not see it.',
  temporarily_unavailable: 'The service is temporarily unavailable; try again shortly.',
  server_error: 'The server could not complete the request.',
};

export class ApiError extends Error {
  headers: Record<string, string> = {};
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    readonly detail?: string,
  ) {
    super(detail ?? code);
  }
}

export function sendProblem(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply
    .code(err.status)
    .headers(err.headers)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send({ type: 'about:blank', title: TITLES[err.code], status: err.status, code: err.code });
}
