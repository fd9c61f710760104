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
  token_type: Type.Optional(Type.Literal('Bearer')),
  jti: Type.Optional(Type.String()),
});

export type IntrospectionResponse = Static<typeof IntrospectionResponse>;
