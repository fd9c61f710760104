import { Type } from 'typebox';

export const Project = Type.Object({
  key: Type.String({ description: 'URL-safe, derived from the name; unique in the organization' }),
  name: Type.String(),
  description: Type.String(),
  created_at: Type.Integer({ description: 'epoch seconds' }),
});

export const ProjectList = Type.Object({ items: Type.Array(Project) });

export const NewProject = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const ProjectParams = Type.Object(
  { org: Type.String({ minLength: 1, maxLength: 39 }), project: Type.String({ minLength: 1, maxLength: 39 }) },
  { additionalProperties: false },
);
