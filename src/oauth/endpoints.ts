/** Paths of the protocol endpoints; metadata and routes both read them from here. */
export const ENDPOINTS = {
  authorization: '/authorize',
  token: '/token',
  revocation: '/revoke',
  introspection: '/introspect',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  endSession: '/logout',
} as const;
