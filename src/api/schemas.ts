/** JSON shapes shared by the platform API (the OpenAPI document is generated from these). */
import { Type } from 'typebox';

export const Me = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

/** RFC 9457 problem details, with Tessera's `code` and the extensions a client acts on. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String({ description: 'token_expired, grant_revoked, app_suspended, invalid_token, insufficient_scope, not_a_member, org_policy_blocked, second_factor_required, not_found, …' }),
  detail: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String({ description: 'insufficient_scope: the scope that is needed' })),
  approval_url: Type.Optional(Type.String({ description: 'org_policy_blocked: where to ask the owners for approval' })),
  setup_url: Type.Optional(Type.String({ description: 'second_factor_required: where the person sets up two-step verification or a passkey' })),
  org: Type.Optional(Type.String()),
});

/** The refusals every authenticated operation can answer, for the OpenAPI document. */
export const REFUSALS = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem } as const;

/**
 * A number in a path (a work item's or a build's): 1 to 2^53 − 1. Beyond that JavaScript loses
 * digits, and PostgreSQL's bigint ends at 2^63 − 1 (`integer out of range` was a 500).
 */
export const Serial = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 39 }) }, { additionalProperties: false });
