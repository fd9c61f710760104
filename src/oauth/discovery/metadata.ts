/**
 * Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata (OIDC Discovery §3).
 * Everything advertised here is enforced elsewhere; nothing is advertised that is not.
 * @module
 */
import { SUPPORTED_SCOPES } from '../../domain/scopes.ts';
import { SIGNING_ALG } from '../../crypto/signing_keys.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { REGISTRATION_PATH } from '../registration/route.ts';
import { DEVICE_CODE_GRANT } from '../token/grants/device_code.ts';
import { DPOP_SIGNING_ALGS } from '../../crypto/dpop.ts';

export interface MetadataOptions {
  /** The operator enabled Dynamic Client Registration (RFC 7591). */
  dynamicRegistration?: boolean;
  /** Every authorization request must be pushed (RFC 9126 §5, REQUIRE_PAR). */
  requirePar?: boolean;
}

export function buildMetadata(issuer: string, options: MetadataOptions = {}) {
  const url = (path: string) => issuer + path;
  return {
    issuer,
    authorization_endpoint: url(ENDPOINTS.authorization),
    token_endpoint: url(ENDPOINTS.token),
    jwks_uri: url(ENDPOINTS.jwks),
    userinfo_endpoint: url(ENDPOINTS.userinfo),
    revocation_endpoint: url(ENDPOINTS.revocation),
    introspection_endpoint: url(ENDPOINTS.introspection),
    // RFC 8628 §4 (issue 17).
    device_authorization_endpoint: url(ENDPOINTS.deviceAuthorization),
    // RFC 9126 §5 (issue 18); the requirement only when the operator turned it on for everyone.
    pushed_authorization_request_endpoint: url(ENDPOINTS.pushedAuthorizationRequest),
    ...(options.requirePar ? { require_pushed_authorization_requests: true } : {}),
    // OIDC RP-Initiated Logout 1.0 §2.1; return addresses are client metadata (§3.1).
    end_session_endpoint: url(ENDPOINTS.endSession),
    // OpenID Connect Back-Channel Logout 1.0 §2.1 (issue 19): logout tokens carry sid, as ID tokens do.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // RFC 8414 §2: advertised only when the operator turned registration on.
    ...(options.dynamicRegistration ? { registration_endpoint: url(REGISTRATION_PATH) } : {}),
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    // RFC 9449 §5.1: proofs at /token, /userinfo and the platform API (issue 18).
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'amr', 'at_hash', 'sid', 'name', 'email', 'email_verified'],
    prompt_values_supported: ['none', 'login', 'consent'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
  };
}
