/** Every portal path, built here only: redirects never take a URL from the request (SECURITY 2). */
const enc = encodeURIComponent;

export const PORTAL = {
  apps: '/developers/apps',
  newApp: '/developers/apps/new',
  app: (id: string) => `/developers/apps/${enc(id)}`,
  editApp: (id: string) => `/developers/apps/${enc(id)}/edit`,
  signIn: '/developers/sign-in',
  reauth: '/developers/sign-in?reauth=1',
  api: '/developers/api/v1',
} as const;
