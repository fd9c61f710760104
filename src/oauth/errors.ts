/**
 * OAuth 2.0 errors, one class per protocol code (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1;
 * RFC 7009 §2.2.1; OIDC Core §3.1.2.6, §6). The public `error_description` is fixed per class; the
 * specific reason is kept in `detail` for the logs only.
 * @module
 */

export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly statusCode: number;
  /** The fixed public text. */
  abstract readonly description: string;
  /**
   * False for errors that must never be sent to the client's redirect URI because that URI (or
   * the client) is not verified yet (RFC 6749 §4.1.2.1): they render as an error page.
   */
  readonly allowRedirect: boolean = true;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers: Record<string, string> = {};

  constructor(readonly detail?: string) {
    super(detail);
  }

  override get name(): string {
    return this.constructor.name;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
  readonly statusCode = 400;
  readonly description = 'The request is missing a parameter, repeats one, or is otherwise malformed.';
}

export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  readonly statusCode = 401;
  readonly description = 'Client authentication failed.';
  constructor(detail?: string, scheme: 'Basic' | undefined = 'Basic') {
    super(detail);
    // RFC 6749 §5.2: a 401 invalid_client carries WWW-Authenticate for the scheme the client can use.
    if (scheme) this.headers['www-authenticate'] = 'Basic realm="tessera", charset="UTF-8"';
  }
}

export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant';
  readonly statusCode = 400;
  readonly description = 'The authorization code or refresh token is invalid, expired, revoked, or was issued to another client.';
}

export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly statusCode = 400;
  readonly description = 'This client is not allowed to use this grant type or response type.';
}

export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly statusCode = 400;
  readonly description = 'The grant type is not supported.';
}

export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type';
  readonly statusCode = 400;
  readonly description = 'Only response_type=code is supported.';
}

export class UnsupportedTokenType extends OAuthError {
  readonly error = 'unsupported_token_type';
  readonly statusCode = 400;
  readonly description = 'The token type is not supported.';
}

/** OIDC Core §6.1, §3.1.2.6: a `request` (Request Object by value) was sent; Tessera takes none. */
export class RequestNotSupported extends OAuthError {
  readonly error = 'request_not_supported';
  readonly statusCode = 400;
  readonly description = 'Request objects (the request parameter) are not supported.';
}

/** OIDC Core §6.2, §3.1.2.6: a `request_uri` (Request Object by reference) was sent; Tessera takes none. */
export class RequestUriNotSupported extends OAuthError {
  readonly error = 'request_uri_not_supported';
  readonly statusCode = 400;
  readonly description = 'Request objects by reference (the request_uri parameter) are not supported.';
}

export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
  readonly statusCode = 400;
  readonly description = 'The requested scope is invalid, unknown, or not allowed for this client.';
}

export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target';
  readonly statusCode = 400;
  readonly description = 'The requested resource is not known to this server.';
}

export class AccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly statusCode = 403;
  readonly description = 'The person denied the request.';
}

/** RFC 8628 §3.5: the person has not decided yet; the device polls again after its interval. */
export class AuthorizationPending extends OAuthError {
  readonly error = 'authorization_pending';
  readonly statusCode = 400;
  readonly description = 'The person has not yet approved or denied this request.';
}

/** RFC 8628 §3.5: polled sooner than the interval; the interval grows by 5 seconds. */
export class SlowDown extends OAuthError {
  readonly error = 'slow_down';
  readonly statusCode = 400;
  readonly description = 'Polling too fast: wait 5 seconds longer between requests from now on.';
}

/** RFC 8628 §3.5: the device_code outlived its `expires_in`; start again. */
export class ExpiredToken extends OAuthError {
  readonly error = 'expired_token';
  readonly statusCode = 400;
  readonly description = 'The device code has expired.';
}

/**
 * RFC 8628 §3.5 `access_denied` at the token endpoint: a 400 like every token error (RFC 6749
 * §5.2), unlike AccessDenied, which travels to a redirect URI.
 */
export class DeviceAccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly statusCode = 400;
  readonly description = 'The person denied the request.';
}

/**
 * RFC 9449 §5, §7.1: the DPoP proof is malformed, for another request, too old or new, replayed,
 * or signed badly or by another key. A 400 at /token (RFC 6749 §5.2); at a resource (/userinfo)
 * a 401 carrying the DPoP challenge it is given.
 */
export class InvalidDpopProof extends OAuthError {
  readonly error = 'invalid_dpop_proof';
  readonly statusCode: number;
  readonly description = 'The DPoP proof is invalid.';
  constructor(detail?: string, resourceChallenge?: string) {
    super(detail);
    this.statusCode = resourceChallenge === undefined ? 400 : 401;
    if (resourceChallenge !== undefined) this.headers['www-authenticate'] = resourceChallenge;
  }
}

/**
 * RFC 9449 §8, §9: with server nonces on (`DPOP_NONCE`), a proof without a current nonce. The
 * answer carries the nonce to use (`DPoP-Nonce`); 400 at /token, 401 with the DPoP challenge at a
 * resource.
 */
export class UseDpopNonce extends OAuthError {
  readonly error = 'use_dpop_nonce';
  readonly statusCode: number;
  readonly description = 'Use the DPoP nonce in the DPoP-Nonce header of this answer.';
  constructor(nonceHeaders: Record<string, string>, resourceChallenge?: string) {
    super('DPoP proof without a current nonce');
    this.statusCode = resourceChallenge === undefined ? 400 : 401;
    Object.assign(this.headers, nonceHeaders);
    if (resourceChallenge !== undefined) this.headers['www-authenticate'] = resourceChallenge;
  }
}

export class LoginRequired extends OAuthError {
  readonly error = 'login_required';
  readonly statusCode = 400;
  readonly description = 'The person must sign in.';
}

export class ConsentRequired extends OAuthError {
  readonly error = 'consent_required';
  readonly statusCode = 400;
  readonly description = 'The person must approve this request.';
}

export class InteractionRequired extends OAuthError {
  readonly error = 'interaction_required';
  readonly statusCode = 400;
  readonly description = 'The person must interact with the authorization server.';
}

export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly statusCode = 401;
  readonly description = 'The access token is invalid, expired or revoked.';
  /** `challenge`: another WWW-Authenticate, e.g. RFC 9449 §7.1's DPoP one for a bound token sent as Bearer. */
  constructor(detail?: string, challenge?: string) {
    super(detail);
    this.headers['www-authenticate'] = challenge ?? 'Bearer realm="tessera", error="invalid_token", error_description="The access token is invalid, expired or revoked."';
  }
}

/** RFC 6750 §3.1: a request with no token gets the bare challenge, with no error code in it. */
export class MissingBearerToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly statusCode = 401;
  readonly description = 'An access token is required.';
  constructor(detail?: string) {
    super(detail);
    this.headers['www-authenticate'] = 'Bearer realm="tessera"';
  }
}

export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  readonly statusCode = 403;
  readonly description = 'The access token does not carry the scope this request needs.';
  constructor(readonly scope: string) {
    super(`needs ${scope}`);
    this.headers['www-authenticate'] = `Bearer realm="tessera", error="insufficient_scope", scope="${scope}"`;
  }
}

/** The client or redirect URI is unknown or unverified: shown as an error page, never redirected. */
export class InvalidRedirectUri extends OAuthError {
  readonly error = 'invalid_request';
  readonly statusCode = 400;
  readonly description = 'The redirect_uri is missing, repeated, or not registered for this client.';
  override readonly allowRedirect = false;
}

export class UnknownClient extends OAuthError {
  readonly error = 'invalid_client';
  readonly statusCode = 400;
  readonly description = 'The client is unknown.';
  override readonly allowRedirect = false;
}

/**
 * Issue 21: the platform suspended the service. The person sees a plain page and the service gets
 * nothing: never redirected (a redirect would hand the service a response), never a code.
 */
export class AppSuspended extends OAuthError {
  readonly error = 'access_denied';
  readonly statusCode = 403;
  readonly description = 'This service has been suspended by the platform.';
  override readonly allowRedirect = false;
}

export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable';
  readonly statusCode = 503;
  readonly description = 'The service is temporarily unavailable; try again shortly.';
  constructor(detail?: string) {
    super(detail);
    this.headers['retry-after'] = '5';
  }
}

export class ServerError extends OAuthError {
  readonly error = 'server_error';
  readonly statusCode = 500;
  readonly description = 'The server could not complete the request.';
}
