/** The UserInfo response (OIDC Core §5.3.2): `sub` always, other claims by scope (§5.4). */
import { Type, type Static } from 'typebox';

export const UserInfoResponse = Type.Object({
  sub: Type.String(),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  email_verified: Type.Optional(Type.Boolean()),
});

export type UserInfoResponse = Static<typeof UserInfoResponse>;
