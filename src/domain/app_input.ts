/**
 * What a developer may set on an app, and the checks every way in applies (pages, JSON API):
 * SECURITY 50, RFC 7591 §2 and §3.2.2. Only the fields named here are read; anything else a
 * request carries (client_id, trusted, verified, owner, grant types) is ignored.
 * @module
 */
import type { App, ClientType } from './apps.ts';
import { checkRedirectUri, MAX_REDIRECT_URIS } from './redirect_uris.ts';
import { SCOPES } from './scopes.ts';
import { isWebRedirectUri } from './spa.ts';
import { outboundUrlProblem } from './outbound_url.ts';

/** RFC 7591 §3.2.2 error codes, used by the JSON API; the pages show the message next to the field. */
export type FieldErrorCode = 'invalid_redirect_uri' | 'invalid_client_metadata';

export interface FieldError {
  field: string;
  code: FieldErrorCode;
  message: string;
}

/** The kinds a developer chooses from; all but `web` are public clients (RFC 6749 §2.1, RFC 8252). */
export const APP_KINDS = { web: 'Web app (server-side, with a secret)', native: 'Native app', cli: 'Command-line tool', spa: 'Single-page app' } as const;
export type AppKind = keyof typeof APP_KINDS;

export function clientTypeOf(kind: AppKind): ClientType {
  return kind === 'web' ? 'confidential' : 'public';
}

/** The kind whose rules an existing app's profile follows (native and command-line apps share theirs). */
export function kindOf(app: Pick<App, 'clientType' | 'spa'>): AppKind {
  return app.clientType === 'confidential' ? 'web' : app.spa ? 'spa' : 'native';
}

export interface AppInput {
  name: string;
  description: string;
  company: string;
  companyUrl: string | null;
  websiteUrl: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: string[];
  /** Opted in to the device flow (RFC 8628, issue 17): a checkbox, or `true` in JSON; absent = off. */
  deviceFlow: boolean;
  /** Only pushed authorization requests (RFC 9126 §6, issue 18): a checkbox, or `true` in JSON; absent = off. */
  requirePar: boolean;
  /** Only DPoP-bound tokens (RFC 9449 §5.2 `dpop_bound_access_tokens`, issue 18): a checkbox, or `true` in JSON; absent = off. */
  dpopBoundAccessTokens: boolean;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2 (issue 19): held to domain/outbound_url.ts; null = none. */
  backchannelLogoutUri: string | null;
  /** §2.2 `backchannel_logout_session_required`: a checkbox, or `true` in JSON; absent = off. */
  backchannelLogoutSessionRequired: boolean;
  /** RFC 8935 push endpoint for security events (issue 19): held to domain/outbound_url.ts; null = none. */
  ssfEndpointUrl: string | null;
}

/** Raw values as received: strings, lists of strings (repeated fields), or absent. */
export type RawInput = Record<string, unknown>;

/**
 * An app's current profile as raw input: it fills the edit form, and a logo upload re-checks it
 * unchanged. Lists stay lists; the form shows them one item a line, and the checks split them alike.
 */
export function rawInputOf(app: App): RawInput {
  return {
    name: app.name,
    description: app.description,
    company: app.publisher,
    company_url: app.companyUrl ?? '',
    website_url: app.websiteUrl ?? '',
    terms_url: app.termsUrl ?? '',
    privacy_url: app.privacyUrl ?? '',
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris ?? [],
    scopes: app.scopes,
    ...(app.deviceFlow ? { device_flow: true } : {}),
    ...(app.requirePar ? { require_pushed_authorization_requests: true } : {}),
    ...(app.dpopBoundAccessTokens ? { dpop_bound_access_tokens: true } : {}),
    backchannel_logout_uri: app.backchannelLogoutUri ?? '',
    ...(app.backchannelLogoutSessionRequired ? { backchannel_logout_session_required: true } : {}),
    ssf_endpoint_url: app.ssfEndpointUrl ?? '',
  };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const LIMITS = { name: 100, description: 1000, company: 100, url: 2000 };

function single(raw: RawInput, name: string): string | undefined {
  const value = raw[name];
  if (typeof value === 'string') return value.trim();
  return undefined;
}

/** A list from a JSON array, repeated form fields, or one text field with one item per line or space. */
function list(raw: RawInput, name: string): string[] | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((v): v is string => typeof v === 'string')) return undefined;
  return items.flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');
}

/** https only: these URLs are shown to people as links (SECURITY 50, RFC 7591 §2 "client_uri"…). */
function httpsUrl(raw: RawInput, field: string, errors: FieldError[]): string | null {
  const value = single(raw, field);
  if (raw[field] !== undefined && value === undefined) {
    errors.push({ field, code: 'invalid_client_metadata', message: 'must be text' });
    return null;
  }
  if (!value) return null;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || value.length > LIMITS.url || url.username || url.password) {
    errors.push({ field, code: 'invalid_client_metadata', message: 'must be an absolute https URL' });
    return null;
  }
  return url.href;
}

function text(raw: RawInput, field: string, max: number, required: boolean, errors: FieldError[]): string {
  const value = single(raw, field);
  if (raw[field] !== undefined && value === undefined) errors.push({ field, code: 'invalid_client_metadata', message: 'must be text' });
  else if (required && !value) errors.push({ field, code: 'invalid_client_metadata', message: 'is required' });
  else if (value !== undefined && value.length > max) errors.push({ field, code: 'invalid_client_metadata', message: `may have at most ${max} characters` });
  // Control characters would only hide something from the person reading the approval page.
  else if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value.replace(/\r?\n/g, ' '))) {
    errors.push({ field, code: 'invalid_client_metadata', message: 'contains control characters' });
  }
  return value ?? '';
}

/**
 * A list of redirect targets (redirect_uris, post_logout_redirect_uris): each one passes
 * checkRedirectUri, none twice, at most MAX_REDIRECT_URIS; only redirect_uris is required.
 */
function uriList(raw: RawInput, field: 'redirect_uris' | 'post_logout_redirect_uris', label: string, kind: AppKind, errors: FieldError[]): string[] {
  const uris = list(raw, field);
  const code = field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
  const fail = (message: string) => errors.push({ field, code, message });
  if (raw[field] !== undefined && uris === undefined) fail('must be a list of URIs');
  else if (uris === undefined || uris.length === 0) {
    if (field === 'redirect_uris') fail(`an app needs at least one ${label}`);
  } else if (uris.length > MAX_REDIRECT_URIS) fail(`an app may register at most ${MAX_REDIRECT_URIS} ${label}s`);
  else {
    const seen = new Set<string>();
    for (const uri of uris) {
      const check = seen.has(uri) ? { valid: false as const, reason: `${uri} is listed twice` } : checkRedirectUri(uri, clientTypeOf(kind));
      seen.add(uri);
      if (!check.valid) fail(check.reason);
      // A single-page app lives at a web origin; a private-use scheme would hand its codes to a native app.
      else if (kind === 'spa' && !isWebRedirectUri(uri)) fail(`${uri} is not a web URL; a single-page app uses https, or http on 127.0.0.1 or [::1]`);
    }
  }
  return uris ?? [];
}

/**
 * An optional URL Tessera will send requests to (domain/outbound_url.ts); null when absent, empty
 * or null (the portal API answers null for none, so a read sent back as an edit stays valid).
 */
function outboundUrl(raw: RawInput, field: string, options: { allowPrivate: boolean }, errors: FieldError[]): string | null {
  const value = single(raw, field)?.trim();
  if (raw[field] !== undefined && raw[field] !== null && raw[field] !== '' && typeof raw[field] !== 'string') {
    errors.push({ field, code: 'invalid_client_metadata', message: 'must be a URL' });
    return null;
  }
  if (value === undefined || value === '') return null;
  const problem = outboundUrlProblem(value, options);
  if (problem) errors.push({ field, code: 'invalid_client_metadata', message: `${value} ${problem}` });
  return problem ? null : value;
}

export function checkKind(raw: RawInput): Checked<AppKind> {
  const kind = single(raw, 'kind');
  if (kind !== undefined && Object.hasOwn(APP_KINDS, kind)) return { ok: true, value: kind as AppKind };
  return { ok: false, errors: [{ field: 'kind', code: 'invalid_client_metadata', message: `must be one of ${Object.keys(APP_KINDS).join(', ')}` }] };
}

/** Checks the whole profile for an app of this kind; every problem is reported, by field. */
export function checkAppInput(raw: RawInput, kind: AppKind, outbound: { allowPrivate: boolean } = { allowPrivate: false }): Checked<AppInput> {
  const errors: FieldError[] = [];
  const name = text(raw, 'name', LIMITS.name, true, errors);
  const description = text(raw, 'description', LIMITS.description, false, errors);
  const company = text(raw, 'company', LIMITS.company, false, errors);
  const companyUrl = httpsUrl(raw, 'company_url', errors);
  const websiteUrl = httpsUrl(raw, 'website_url', errors);
  const termsUrl = httpsUrl(raw, 'terms_url', errors);
  const privacyUrl = httpsUrl(raw, 'privacy_url', errors);

  // Logos are uploaded and re-served by us (SECURITY 39); a remote logo_uri is never fetched or shown.
  if (raw.logo_uri !== undefined) errors.push({ field: 'logo_uri', code: 'invalid_client_metadata', message: 'remote logos are not accepted; upload a PNG or JPEG instead' });

  const redirectUris = uriList(raw, 'redirect_uris', 'callback URL', kind, errors);
  // OIDC RP-Initiated Logout §3.1: optional, and held to the same rules as redirect URIs.
  const postLogoutRedirectUris = uriList(raw, 'post_logout_redirect_uris', 'sign-out return URL', kind, errors);

  const backchannelLogoutUri = outboundUrl(raw, 'backchannel_logout_uri', outbound, errors);
  const ssfEndpointUrl = outboundUrl(raw, 'ssf_endpoint_url', outbound, errors);

  const scopes = list(raw, 'scopes') ?? [];
  const unknown = scopes.filter((s) => !Object.hasOwn(SCOPES, s));
  if (raw.scopes !== undefined && list(raw, 'scopes') === undefined) errors.push({ field: 'scopes', code: 'invalid_client_metadata', message: 'must be a list of scopes' });
  else if (scopes.length === 0) errors.push({ field: 'scopes', code: 'invalid_client_metadata', message: 'choose at least one scope' });
  else if (unknown.length > 0) errors.push({ field: 'scopes', code: 'invalid_client_metadata', message: `unknown scope ${unknown.join(', ')}` });

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name, description, company, companyUrl, websiteUrl, termsUrl, privacyUrl, redirectUris, postLogoutRedirectUris, scopes: [...new Set(scopes)],
      deviceFlow: raw.device_flow === true || raw.device_flow === 'on',
      requirePar: raw.require_pushed_authorization_requests === true || raw.require_pushed_authorization_requests === 'on',
      dpopBoundAccessTokens: raw.dpop_bound_access_tokens === true || raw.dpop_bound_access_tokens === 'on',
      backchannelLogoutUri,
      backchannelLogoutSessionRequired: raw.backchannel_logout_session_required === true || raw.backchannel_logout_session_required === 'on',
      ssfEndpointUrl,
    },
  };
}
