/** The successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
import { Type, type Static } from 'typebox';

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  // RFC 9449 §5: DPoP when the access token is bound to the proof's key.
  token_type: Type.Union([Type.Literal('Bearer'), Type.Literal('DPoP')]),
  expires_in: Type.Integer(),
  // Always sent, not only when narrowed (RFC 6749 §5.1 allows it; clients need not guess).
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
});

export type TokenResponse = Static<typeof TokenResponse>;
