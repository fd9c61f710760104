import { Type } from 'typebox';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' });

export const Repository = Type.Object({
  name: Type.String(),
  default_branch: Type.String(),
  head: Type.String({ description: 'commit id the default branch points at' }),
  created_at: Type.Integer(),
});
export const RepositoryList = Type.Object({ items: Type.Array(Type.Omit(Repository, ['head'])) });
export const NewRepository = Type.Object({ name: Name }, { additionalProperties: false });

const Segment = Type.String({ minLength: 1, maxLength: 100 });
export const RepoParams = Type.Object({ org: Segment, repo: Segment }, { additionalProperties: false });
/** The file path is the wildcard `*`, checked by normalizePath (a schema key named `*` confuses the compiler). */
export const ContentParams = Type.Object({ org: Segment, repo: Segment });
export const ContentQuery = Type.Object({ ref: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a branch or a commit id; default: the default branch' })) }, { additionalProperties: false });

export const Contents = Type.Union([
  Type.Object({ type: Type.Literal('file'), path: Type.String(), sha: Type.String({ description: 'SHA-256 of the content (base64url)' }), size: Type.Integer(), content: Type.String(), commit: Type.String() }),
  Type.Object({
    type: Type.Literal('dir'),
    path: Type.String(),
    entries: Type.Array(Type.Object({ name: Type.String(), type: Type.Union([Type.Literal('file'), Type.Literal('dir')]) })),
    commit: Type.String(),
  }),
]);

export const FileChange = Type.Object(
  {
    content: Type.Union([Type.String({ maxLength: 60000 }), Type.Null()], { description: 'the new UTF-8 content, or null to delete the file' }),
    message: Type.String({ minLength: 1, maxLength: 1000 }),
    branch: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    parent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the commit you based the change on; refused with 409 if the branch moved' })),
  },
  { additionalProperties: false },
);

export const CommitSchema = Type.Object({
  id: Type.String(),
  parent: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  author: Type.String(),
  created_at: Type.Integer(),
  sha: Type.Union([Type.String(), Type.Null()], { description: 'the blob written, null for a deletion' }),
});
