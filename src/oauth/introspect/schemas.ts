/** The introspection response (RFC 7662 §2.2): only `active` unless the token is active. */
import { Type, type Static } from 'typebox';

export const IntrospectionResponse = Type.Object({
  active: Type.Boolean(),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  sub: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
  aud: Type.Optional(Type.String()),
  iss: Type.Optional(Type.String()),
  // RFC 9449 §6.2: a DPoP-bound token is of type DPoP and names its key's thumbprint (SECURITY 21).
  token_type: Type.Optional(Type.Union([Type.Literal('Bearer'), Type.Literal('DPoP')])),
  jti: Type.Optional(Type.String()),
  cnf: Type.Optional(Type.Object({ jkt: Type.String() })),
});

export type IntrospectionResponse = Static<typeof IntrospectionResponse>;
