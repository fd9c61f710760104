/**
 * JSON Schemas of the portal API, for the OpenAPI description. Request bodies are checked by
 * ../app_input.ts (the same checks as the pages) so failures carry RFC 7591 §3.2.2 codes; these
 * schemas document them and are not used to validate.
 * @module
 */
import { SUPPORTED_SCOPES } from '../../domain/scopes.ts';
import { APP_KINDS } from '../../domain/app_input.ts';

const url = { type: 'string', format: 'uri' } as const;
const nullableUrl = { type: ['string', 'null'], format: 'uri' } as const;

const profileProperties = {
  name: { type: 'string', maxLength: 100 },
  description: { type: 'string', maxLength: 1000 },
  company: { type: 'string', maxLength: 100 },
  company_url: { ...url, description: 'https only' },
  website_url: { ...url, description: 'https only' },
  terms_url: { ...url, description: 'optional, https only' },
  privacy_url: { ...url, description: 'optional, https only' },
  redirect_uris: { type: 'array', items: url, minItems: 1, maxItems: 10, description: 'https; http only on 127.0.0.1 or [::1]; reverse-DNS private-use schemes for public apps' },
  post_logout_redirect_uris: { type: 'array', items: url, maxItems: 10, description: 'optional; where people may be sent after signing out (OIDC RP-Initiated Logout); the same rules as redirect_uris' },
  scopes: { type: 'array', items: { type: 'string', enum: [...SUPPORTED_SCOPES] }, minItems: 1 },
  require_pushed_authorization_requests: { type: 'boolean', description: 'optional; true: only authorization requests pushed to /par first are accepted (RFC 9126 §6)' },
  dpop_bound_access_tokens: { type: 'boolean', description: 'optional; true: /token issues only DPoP-bound tokens and refuses a request without a DPoP proof (RFC 9449 §5.2)' },
  backchannel_logout_uri: {
    type: ['string', 'null'],
    maxLength: 2000,
    description: 'optional; where logout tokens are POSTed when a person who signed in to the app signs out (OpenID Connect Back-Channel Logout 1.0): https (http only on loopback), no fragment, no private address',
  },
  backchannel_logout_session_required: { type: 'boolean', description: 'optional; the app needs sid in its logout tokens (Tessera always sends sid and sub)' },
  ssf_endpoint_url: {
    type: ['string', 'null'],
    maxLength: 2000,
    description: 'optional; where Security Event Tokens (CAEP session-revoked, token-claims-change) are pushed (RFC 8935) when a grant is revoked or narrowed: the same rules as backchannel_logout_uri',
  },
} as const;

export const appInputSchema = {
  type: 'object',
  required: ['name', 'redirect_uris', 'scopes'],
  properties: profileProperties,
  description: 'Unknown members (client_id, verified, owner, grant_types …) are ignored.',
} as const;

export const createAppSchema = {
  ...appInputSchema,
  required: ['kind', 'name', 'redirect_uris', 'scopes'],
  properties: {
    kind: { type: 'string', enum: Object.keys(APP_KINDS) },
    owner_org: { type: 'string', description: 'slug of an organization you own, to make it the owner (its owners manage the app); absent: you own it' },
    ...profileProperties,
  },
} as const;

export const ownerSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['user', 'organization'] },
    org: { type: 'string', description: 'the organization slug, when an organization owns the app' },
    name: { type: 'string', description: 'the organization name, when an organization owns the app' },
  },
} as const;

export const appSchema = {
  type: 'object',
  properties: {
    client_id: { type: 'string' },
    owner: ownerSchema,
    client_type: { type: 'string', enum: ['confidential', 'public'] },
    spa: { type: 'boolean', description: 'created as kind spa: a public client that runs in a browser (CORS at the token endpoints for its redirect URIs\' origins; unbound refresh tokens end 24 hours after the first)' },
    ...profileProperties,
    company_url: nullableUrl,
    website_url: nullableUrl,
    terms_url: nullableUrl,
    privacy_url: nullableUrl,
    logo_uri: nullableUrl,
    backchannel_logout_uri: { type: ['string', 'null'] },
    ssf_endpoint_url: { type: ['string', 'null'] },
    verified: { type: 'boolean' },
    created_at: { type: 'integer', description: 'seconds since the epoch' },
  },
} as const;

export const secretSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    created_at: { type: 'integer' },
    expires_at: { type: ['integer', 'null'] },
    last_used_at: { type: ['integer', 'null'] },
  },
} as const;

const dayCount = { type: 'object', properties: { day: { type: 'string', format: 'date' }, count: { type: 'integer' } } } as const;

export const usageSchema = {
  type: 'object',
  properties: {
    active_grants: { type: 'integer', description: 'people with a live grant' },
    tokens_per_day: { type: 'array', items: dayCount, description: 'token responses per UTC day, newest first' },
    errors_per_day: {
      type: 'array',
      description: 'errors answered to the app per UTC day and code (token endpoint: invalid_grant, invalid_client …; API: grant_revoked, insufficient_scope …), newest first',
      items: { type: 'object', properties: { day: { type: 'string', format: 'date' }, code: { type: 'string' }, count: { type: 'integer' } } },
    },
    errors_by_code: { type: 'array', description: 'totals over the window, most frequent first', items: { type: 'object', properties: { code: { type: 'string' }, count: { type: 'integer' } } } },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'invalid_redirect_uri, invalid_client_metadata, login_required, reauthentication_required, forbidden, not_found, conflict' },
    error_description: { type: 'string' },
    fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;

export const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
