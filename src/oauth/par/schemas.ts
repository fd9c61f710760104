/** The pushed authorization response (RFC 9126 §2.2). */
import { Type, type Static } from 'typebox';

export const PushedAuthorizationResponse = Type.Object({
  request_uri: Type.String(),
  expires_in: Type.Integer(),
});

export type PushedAuthorizationResponse = Static<typeof PushedAuthorizationResponse>;
