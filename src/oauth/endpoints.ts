/** Paths of the protocol endpoints; metadata and routes both read them from here. */
export const ENDPOINTS = {
  authorization: '/authorize',
  token: '/token',
  revocation: '/revoke',
  introspection: '/introspect',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  endSession: '/logout',
  /** RFC 8628 §3.1 (issue 17). */
  deviceAuthorization: '/device_authorization',
  /** RFC 8628 §3.3: the page where people type the code (`verification_uri`), served by the pages. */
  deviceVerification: '/device',
  /** RFC 9126 §2 (issue 18): the pushed authorization request endpoint. */
  pushedAuthorizationRequest: '/par',
  /** OpenID Shared Signals Framework 1.0 §7.1 (issue 19): the transmitter configuration metadata. */
  ssfConfiguration: '/.well-known/ssf-configuration',
  /** SSF 1.0 §8.1.1: the stream configuration endpoint (read only: the app's registration is its stream). */
  ssfStream: '/ssf/stream',
} as const;
