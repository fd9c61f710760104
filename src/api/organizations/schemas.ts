import { Type } from 'typebox';

export const Organization = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
});

export const OrganizationList = Type.Object({ items: Type.Array(Organization) });
