/**
 * RFC 7591 §2 client metadata ↔ the portal's app profile. Registration applies exactly the
 * portal's checks (../../portal/app_input.ts, SECURITY 50); only what Tessera supports is
 * accepted: the code flow with refresh tokens, and the three client authentication methods.
 * @module
 */
import type { App } from '../../domain/apps.ts';
import { DEVICE_CODE_GRANT } from '../token/grants/device_code.ts';
import { checkAppInput, type AppInput, type AppKind, type Checked, type FieldError, type RawInput } from '../../domain/app_input.ts';
import { isWebRedirectUri } from '../../domain/spa.ts';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
// RFC 8628 §4 grant type: registering it is how a registered app opts in to the device flow (issue 17).
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', DEVICE_CODE_GRANT]);

/** The scopes a client registered without `scope` may ask for (RFC 7591 §2: the server's default). */
export const DEFAULT_DCR_SCOPE = 'openid';

function metadataError(field: string, message: string): FieldError {
  return { field, code: 'invalid_client_metadata', message };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/**
 * The kind of a newly registered client: a secret makes a web app; without one (`none`), a client
 * whose redirect URIs are all web URLs is a single-page app (issue 18: it runs in a browser, so it
 * gets CORS and the browser's refresh-token rules, draft-ietf-oauth-browser-based-apps §6.3),
 * unless it says `application_type: native` (OIDC Dynamic Registration §2: a native app may use
 * loopback http redirects too, RFC 8252 §7.3).
 */
function kindOfRegistration(method: unknown, applicationType: unknown, redirectUris: unknown): AppKind {
  if (method !== 'none') return 'web';
  const uris = stringList(redirectUris);
  return applicationType !== 'native' && uris !== undefined && uris.length > 0 && uris.every(isWebRedirectUri) ? 'spa' : 'native';
}

/** Reads a registration request: the kind follows token_endpoint_auth_method (`none` = public) and the redirect URIs. */
export function checkClientMetadata(body: unknown, fixedKind?: AppKind, outbound: { allowPrivate: boolean } = { allowPrivate: false }): Checked<{ kind: AppKind; input: AppInput }> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, errors: [metadataError('body', 'must be a JSON object')] };
  const m = body as Record<string, unknown>;
  const errors: FieldError[] = [];

  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (typeof method !== 'string' || !(AUTH_METHODS as readonly string[]).includes(method)) {
    errors.push(metadataError('token_endpoint_auth_method', `must be one of ${AUTH_METHODS.join(', ')}`));
  }
  // OIDC Dynamic Registration §2: `web` (the default) or `native`.
  if (m.application_type !== undefined && m.application_type !== 'web' && m.application_type !== 'native') errors.push(metadataError('application_type', 'must be web or native'));
  const kind: AppKind = fixedKind ?? kindOfRegistration(method, m.application_type, m.redirect_uris);
  if (fixedKind !== undefined && (fixedKind === 'web') !== (method !== 'none')) {
    errors.push(metadataError('token_endpoint_auth_method', 'cannot change between a confidential and a public client'));
  }
  // RFC 7591 §2.1: grant types and response types must be ones we support, and consistent.
  const grantTypes = m.grant_types === undefined ? ['authorization_code'] : stringList(m.grant_types);
  if (!grantTypes || !grantTypes.every((g) => GRANT_TYPES.has(g)) || !grantTypes.includes('authorization_code')) {
    errors.push(metadataError('grant_types', `only authorization_code (with refresh_token and ${DEVICE_CODE_GRANT}) is supported`));
  }
  const responseTypes = m.response_types === undefined ? ['code'] : stringList(m.response_types);
  if (!responseTypes || responseTypes.length !== 1 || responseTypes[0] !== 'code') errors.push(metadataError('response_types', 'only code is supported'));
  for (const unsupported of ['jwks', 'jwks_uri', 'software_statement']) {
    if (m[unsupported] !== undefined) errors.push(metadataError(unsupported, 'is not supported'));
  }
  if (m.scope !== undefined && typeof m.scope !== 'string') errors.push(metadataError('scope', 'must be a space-separated string'));
  const requirePar = m.require_pushed_authorization_requests;
  // RFC 9126 §6: a boolean, false when omitted.
  if (requirePar !== undefined && typeof requirePar !== 'boolean') errors.push(metadataError('require_pushed_authorization_requests', 'must be a boolean'));
  const dpopBound = m.dpop_bound_access_tokens;
  // RFC 9449 §5.2: a boolean, false when omitted.
  if (dpopBound !== undefined && typeof dpopBound !== 'boolean') errors.push(metadataError('dpop_bound_access_tokens', 'must be a boolean'));
  // OpenID Connect Back-Channel Logout 1.0 §2.2: a URL (held to domain/outbound_url.ts) and a boolean, false when omitted.
  const sessionRequired = m.backchannel_logout_session_required;
  if (sessionRequired !== undefined && typeof sessionRequired !== 'boolean') errors.push(metadataError('backchannel_logout_session_required', 'must be a boolean'));
  // The portal API takes null for none (it answers null); registration never has, and still does not.
  if (m.backchannel_logout_uri === null) errors.push(metadataError('backchannel_logout_uri', 'must be a URL'));
  // `ssf_endpoint_url` is a Tessera extension (issue 19): the RFC 8935 push endpoint of the app's
  // one Shared Signals stream, held to the same outbound rules; omitted = none, as above.
  if (m.ssf_endpoint_url === null) errors.push(metadataError('ssf_endpoint_url', 'must be a URL'));

  const raw: RawInput = {
    name: m.client_name,
    redirect_uris: m.redirect_uris,
    ...(m.post_logout_redirect_uris === undefined ? {} : { post_logout_redirect_uris: m.post_logout_redirect_uris }),
    ...(m.backchannel_logout_uri === undefined ? {} : { backchannel_logout_uri: m.backchannel_logout_uri }),
    ...(sessionRequired === true ? { backchannel_logout_session_required: true } : {}),
    ...(m.ssf_endpoint_url === undefined ? {} : { ssf_endpoint_url: m.ssf_endpoint_url }),
    scopes: m.scope ?? DEFAULT_DCR_SCOPE,
    ...(m.client_uri === undefined ? {} : { website_url: m.client_uri }),
    ...(m.tos_uri === undefined ? {} : { terms_url: m.tos_uri }),
    ...(m.policy_uri === undefined ? {} : { privacy_url: m.policy_uri }),
    ...(m.logo_uri === undefined ? {} : { logo_uri: m.logo_uri }),
    ...(grantTypes?.includes(DEVICE_CODE_GRANT) ? { device_flow: true } : {}),
    ...(requirePar === true ? { require_pushed_authorization_requests: true } : {}),
    ...(dpopBound === true ? { dpop_bound_access_tokens: true } : {}),
  };
  if (m.redirect_uris !== undefined && !stringList(m.redirect_uris)) errors.push({ field: 'redirect_uris', code: 'invalid_redirect_uri', message: 'must be an array of URIs' });
  if (m.post_logout_redirect_uris !== undefined && !stringList(m.post_logout_redirect_uris)) {
    errors.push(metadataError('post_logout_redirect_uris', 'must be an array of URIs'));
  }
  const checked = checkAppInput(raw, kind, outbound);
  if (!checked.ok) errors.push(...checked.errors.map((e) => ({ ...e, field: FIELD_NAMES[e.field] ?? e.field })));
  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return { ok: true, value: { kind, input: checked.value } };
}

const FIELD_NAMES: Record<string, string> = { name: 'client_name', website_url: 'client_uri', terms_url: 'tos_uri', privacy_url: 'policy_uri', scopes: 'scope' };

/** RFC 7591 §3.2.1 / RFC 7592 §3: the registered metadata, never the secret after creation. */
export function clientInformation(app: App, authMethod: string) {
  return {
    client_id: app.id,
    client_id_issued_at: app.createdAt,
    client_name: app.name,
    redirect_uris: app.redirectUris,
    // OIDC RP-Initiated Logout §3.1.
    post_logout_redirect_uris: app.postLogoutRedirectUris ?? [],
    grant_types: ['authorization_code', 'refresh_token', ...(app.deviceFlow ? [DEVICE_CODE_GRANT] : [])],
    response_types: ['code'],
    token_endpoint_auth_method: app.clientType === 'public' ? 'none' : authMethod === 'none' ? 'client_secret_basic' : authMethod,
    // OIDC Dynamic Registration §2; a single-page app (issue 18) is a web application without a secret.
    application_type: app.clientType === 'public' && !app.spa ? 'native' : 'web',
    scope: app.scopes.join(' '),
    require_pushed_authorization_requests: app.requirePar === true,
    dpop_bound_access_tokens: app.dpopBoundAccessTokens === true,
    // Back-Channel Logout §2.2.
    ...(app.backchannelLogoutUri ? { backchannel_logout_uri: app.backchannelLogoutUri } : {}),
    backchannel_logout_session_required: app.backchannelLogoutSessionRequired === true,
    // Tessera extension (issue 19): where its security events are pushed (RFC 8935).
    ...(app.ssfEndpointUrl ? { ssf_endpoint_url: app.ssfEndpointUrl } : {}),
    ...(app.websiteUrl ? { client_uri: app.websiteUrl } : {}),
    ...(app.termsUrl ? { tos_uri: app.termsUrl } : {}),
    ...(app.privacyUrl ? { policy_uri: app.privacyUrl } : {}),
    ...(app.logoUrl ? { logo_uri: app.logoUrl } : {}),
  };
}
