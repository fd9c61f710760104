/** JSON shapes of the platform API (the OpenAPI document is generated from these). */
import { Type } from 'typebox';

export const Me = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

export const Organization = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
});

export const OrganizationList = Type.Object({ items: Type.Array(Organization) });
