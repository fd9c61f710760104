/**
 * Errors of the platform API as RFC 9457 problem details with a stable, machine-readable `code`.
 * Bearer-token failures also carry the RFC 6750 §3 `WWW-Authenticate` challenge.
 * @module
 */
import type { FastifyReply } from 'fastify';

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'dpop_required'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'token_expired'
  | 'grant_revoked'
  | 'app_suspended'
  | 'insufficient_scope'
  | 'not_a_member'
  | 'org_policy_blocked'
  | 'second_factor_required'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'precondition_failed'
  | 'precondition_required'
  | 'conflict'
  | 'rate_limited'
  | 'temporarily_unavailable'
  | 'server_error';

/** The fixed `title` of each problem: also the developer guide's meaning of the code (portal/guide). */
export const TITLES: Record<ApiErrorCode, string> = {
  invalid_request: 'The request is malformed.',
  invalid_token: 'The access token is missing, invalid, expired or revoked.',
  dpop_required: 'This access token is bound to a DPoP key: send it as `Authorization: DPoP` with a DPoP proof.',
  invalid_dpop_proof: 'The DPoP proof is missing, invalid, for another request, or was used before.',
  use_dpop_nonce: 'Sign the DPoP proof again with the nonce in the DPoP-Nonce header of this answer.',
  token_expired: 'The access token has expired; get a new one with the refresh token.',
  grant_revoked: 'The authorization behind this access token was revoked.',
  app_suspended: 'The service this access token was issued to has been suspended by the platform.',
  insufficient_scope: 'The access token does not carry the scope this request needs.',
  not_a_member: 'The person behind the access token is no longer a member of this organization.',
  org_policy_blocked: "The organization's policy does not let this service act in it.",
  second_factor_required: 'The organization requires a second factor, and the person behind the access token has none yet.',
  not_found: 'There is nothing here, or you may not see it.',
  method_not_allowed: 'This resource does not support that method.',
  unsupported_media_type: 'Request bodies must be application/json.',
  precondition_failed: 'The resource changed since you read it; read it again and retry.',
  precondition_required: 'This change needs an If-Match header with the ETag you read.',
  conflict: 'The request conflicts with the current state of the resource.',
  rate_limited: 'Too many requests with this authorization; retry later.',
  temporarily_unavailable: 'The service is temporarily unavailable; try again shortly.',
  server_error: 'The server could not complete the request.',
};

/** Members of the problem body beyond the RFC 9457 ones, meant for the client to act on. */
export interface ProblemExtensions {
  /** The scope that would have been enough (insufficient_scope). */
  scope?: string;
  /** Where the person can ask the organization's owners to approve this service (org_policy_blocked). */
  approval_url?: string;
  /** Where the person sets up two-step verification or a passkey (second_factor_required). */
  setup_url?: string;
  /** The organization a refusal is about. */
  org?: string;
}

export class ApiError extends Error {
  headers: Record<string, string> = {};
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    /** For the log only, unless `publicDetail` is set. */
    readonly detail?: string,
    readonly extensions: ProblemExtensions = {},
    /** Safe to show the client (e.g. which field failed validation). */
    readonly publicDetail?: string,
  ) {
    super(detail ?? code);
  }
}

export function sendProblem(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply
    .code(err.status)
    .headers(err.headers)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send({
      type: 'about:blank',
      title: TITLES[err.code],
      status: err.status,
      code: err.code,
      ...(err.publicDetail ? { detail: err.publicDetail } : {}),
      ...err.extensions,
    });
}

export const notFound = (detail?: string) => new ApiError(404, 'not_found', detail);
