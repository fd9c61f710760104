/** Every path of the operator console (issue 21), built here only: redirects never take a URL from the request (SECURITY 2). */
const enc = encodeURIComponent;

export const ADMIN_PATH = '/admin';

export const ADMIN = {
  home: ADMIN_PATH,
  services: `${ADMIN_PATH}/services`,
  service: (clientId: string) => `${ADMIN_PATH}/services/${enc(clientId)}`,
  serviceAction: (clientId: string, action: ServiceAction) => `${ADMIN_PATH}/services/${enc(clientId)}/${action}`,
  people: `${ADMIN_PATH}/people`,
  person: (id: string) => `${ADMIN_PATH}/people/${enc(id)}`,
  personAction: (id: string, action: PersonAction) => `${ADMIN_PATH}/people/${enc(id)}/${action}`,
  orgs: `${ADMIN_PATH}/orgs`,
  org: (slug: string) => `${ADMIN_PATH}/orgs/${enc(slug)}`,
  keys: `${ADMIN_PATH}/keys`,
  audit: `${ADMIN_PATH}/audit`,
  auditExport: `${ADMIN_PATH}/audit/export`,
  /** The Audit log filtered (`AUDIT_FILTERS`), e.g. a person's or a service's events; empty filters are left out. */
  auditOf: (filters: AuditLinkFilters, path: string = `${ADMIN_PATH}/audit`) => {
    const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    return query.size === 0 ? path : `${path}?${query}`;
  },
  rotateKeys: `${ADMIN_PATH}/keys/rotate`,
  /** Tessera's one sign-in page, coming back to `path` (a console path) afterwards. */
  signIn: (path: string) => `/login?${new URLSearchParams({ return_to: path })}`,
  /** "Confirm it is you": the same re-authentication path as every sensitive change (login/route.ts `reauth=1`). */
  confirm: (path: string) => `/login?${new URLSearchParams({ return_to: path, reauth: '1' })}`,
} as const;

/** The forms of a service's page, one route each (POST). */
export const SERVICE_ACTIONS = ['suspend', 'unsuspend', 'verify', 'unverify'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

/** The forms of a person's page, one route each (POST). */
export const PERSON_ACTIONS = ['disable', 'enable', 'reset-second-factor', 'end-sessions'] as const;
export type PersonAction = (typeof PERSON_ACTIONS)[number];

/** The Audit log's filters, the names of its form fields and of its address's query. */
export const AUDIT_FILTERS = ['person', 'service', 'type', 'from', 'to', 'actor'] as const;
export type AuditLinkFilters = Partial<Record<(typeof AUDIT_FILTERS)[number] | 'after', string>>;
