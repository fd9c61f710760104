/** Every portal path, built here only: redirects never take a URL from the request (SECURITY 2). */
const enc = encodeURIComponent;

export const PORTAL = {
  apps: '/developers/apps',
  newApp: '/developers/apps/new',
  app: (id: string) => `/developers/apps/${enc(id)}`,
  editApp: (id: string) => `/developers/apps/${enc(id)}/edit`,
  /** The portal's old sign-in form: now only a redirect to /login (issue 13). */
  oldSignIn: '/developers/sign-in',
  /** Tessera's one sign-in page, coming back to `path` (a portal path) afterwards. */
  signIn: (path = '/developers/apps') => `/login?${new URLSearchParams({ return_to: path })}`,
  /** The same, saying that managing secrets needs a recent sign-in (SECURITY 51). */
  reauth: (path: string) => `/login?${new URLSearchParams({ return_to: path, reauth: '1' })}`,
  api: '/developers/api/v1',
  /** The developer guide (issue 20): what to do about each error code the usage panel counts. */
  guide: '/developers/guide',
} as const;
