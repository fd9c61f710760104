/**
 * What a developer does about each error code the portal's usage panel counts (http/error_counting.ts:
 * the token endpoint's `error`, the platform API's problem `code`). The API's codes are typed by
 * its own union, so a new code cannot land without its advice; the meaning is the problem's fixed
 * title (api/problem.ts). The same guidance, longer, is docs/developers.md "Error codes".
 * @module
 */
import { TITLES, type ApiErrorCode } from '../../api/problem.ts';

export interface Advice {
  code: string;
  meaning: string;
  todo: string;
}

/** RFC 6749 §5.2 and the extensions Tessera's token endpoint answers (RFC 8628 §3.5, RFC 9449 §5, §8). */
export const TOKEN_ADVICE: readonly Advice[] = [
  { code: 'invalid_request', meaning: 'A parameter is missing, repeated or malformed, the body is not form-encoded, or both Basic and body credentials were sent; 429 with Retry-After after too many failed attempts.', todo: 'Fix the request; after a 429, wait Retry-After seconds, never retry in a loop.' },
  { code: 'invalid_client', meaning: 'Unknown client or wrong secret (the same answer for both).', todo: 'Check the client_id and the secret your service sends; a revoked or expired secret is refused.' },
  { code: 'invalid_grant', meaning: 'The code or refresh token is unknown, expired, used, revoked or issued to another client, or redirect_uri or code_verifier does not match.', todo: 'Forget the tokens and send the person through a new authorization.' },
  { code: 'unauthorized_client', meaning: 'This app may not use this grant type (the device flow needs Device sign-in turned on).', todo: 'Turn the grant on in the app\'s settings, or use the code flow.' },
  { code: 'unsupported_grant_type', meaning: 'Only authorization_code, refresh_token and the device code grant exist.', todo: 'Use one of them.' },
  { code: 'invalid_scope', meaning: 'A refresh asked for scopes beyond the authorization.', todo: 'Ask for a subset of what was granted.' },
  { code: 'invalid_dpop_proof', meaning: 'The DPoP proof is malformed, for another URL or method, too old, reused, or badly signed.', todo: 'Make a fresh proof for this request.' },
  { code: 'use_dpop_nonce', meaning: 'Server nonces are on and the proof has no current one (it is in the DPoP-Nonce header).', todo: 'Sign a new proof with that nonce and retry.' },
  { code: 'authorization_pending', meaning: 'Device flow: the person has not decided yet.', todo: 'Keep polling at the interval.' },
  { code: 'slow_down', meaning: 'Device flow: polled faster than the interval.', todo: 'Add 5 seconds to your interval.' },
  { code: 'access_denied', meaning: 'Device flow: the person denied it.', todo: 'Stop polling; respect the choice.' },
  { code: 'expired_token', meaning: 'Device flow: the device code expired.', todo: 'Start again with a new device code.' },
  { code: 'temporarily_unavailable', meaning: 'Tessera could not reach its database.', todo: 'Retry after Retry-After seconds.' },
];

const API_TODO: Record<ApiErrorCode, string> = {
  invalid_request: 'Fix the request: the detail names the field.',
  invalid_token: 'Refresh the access token; if that fails too, send the person through a new authorization.',
  dpop_required: 'Send the token as Authorization: DPoP with a proof.',
  invalid_dpop_proof: 'Make a fresh proof for this request.',
  use_dpop_nonce: 'Sign a new proof with the nonce of the DPoP-Nonce header and retry.',
  token_expired: 'Refresh the access token and retry.',
  grant_revoked: 'Forget the tokens and offer the person to connect again.',
  app_suspended: 'Stop calling: your app\'s page in this portal says why.',
  insufficient_scope: 'The WWW-Authenticate challenge names the scope (RFC 6750 §3.1): ask the person for it in a new authorization.',
  not_a_member: 'The person left the organization: stop acting there.',
  org_policy_blocked: 'Tell the person, and link to approval_url, where they ask the organization\'s owners to approve your service.',
  second_factor_required: 'Tell the person, and link to setup_url; the same token works once they have a second factor.',
  not_found: 'Nothing there, or an organization the person cannot reach: check the path.',
  method_not_allowed: 'Use a method the Allow header lists.',
  unsupported_media_type: 'Send application/json.',
  precondition_failed: 'Read the resource again and retry with its new ETag.',
  precondition_required: 'Send If-Match with the ETag you read.',
  conflict: 'Read the current state and decide again.',
  rate_limited: 'Wait Retry-After seconds.',
  temporarily_unavailable: 'Retry shortly.',
  server_error: 'Retry later; if it persists, tell the platform\'s operators.',
};

export const API_ADVICE: readonly Advice[] = (Object.keys(API_TODO) as ApiErrorCode[]).map((code) => ({ code, meaning: TITLES[code], todo: API_TODO[code] }));
