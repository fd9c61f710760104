import type { Db } from '../database.ts';
import type { CommitsTable, RepositoriesTable } from '../schema.ts';
import type { Commit, CommitResult, Repository, RepositoryStore, Tree } from '../../domain/repositories.ts';
import { randomId } from '../../crypto/random.ts';
import { digest } from '../../crypto/digest.ts';
import { isUniqueViolation } from './errors.ts';

function toRepository(row: RepositoriesTable): Repository {
  return { id: row.id, orgId: row.org_id, name: row.name, defaultBranch: row.default_branch, createdAt: Number(row.created_at) };
}

/** The stored tree is a JSON object; `JSON.parse` makes every key an own property, `__proto__` included. */
function parseTree(json: string): Tree {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('a commit tree is not a JSON object');
  const tree = new Map<string, string>();
  for (const [path, blobId] of Object.entries(parsed)) {
    if (typeof blobId !== 'string') throw new Error(`a commit tree maps ${JSON.stringify(path)} to a non-string`);
    tree.set(path, blobId);
  }
  return tree;
}

/** `Object.fromEntries` defines own properties, so a path named `__proto__` stays a key (`tree[path] = …` would set the prototype). */
function serializeTree(tree: Tree): string {
  return JSON.stringify(Object.fromEntries(tree));
}

function toCommit(row: CommitsTable): Commit {
  return {
    id: row.id,
    parentId: row.parent_id,
    tree: parseTree(row.tree),
    message: row.message,
    authorId: row.author_id,
    createdAt: Number(row.created_at),
  };
}

export class SqlRepositoryStore implements RepositoryStore {
  constructor(private readonly db: Db) {}

  async create(input: { orgId: string; name: string; defaultBranch: string; authorId: string }, now: number) {
    const row: RepositoriesTable = { id: randomId(), org_id: input.orgId, name: input.name, default_branch: input.defaultBranch, created_at: now };
    const first: CommitsTable = { id: randomId(), repo_id: row.id, parent_id: null, tree: serializeTree(new Map()), message: 'Create repository', author_id: input.authorId, created_at: now };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('repositories').values(row).execute();
        await tx.insertInto('commits').values(first).execute();
        await tx.insertInto('branches').values({ repo_id: row.id, name: input.defaultBranch, commit_id: first.id }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return toRepository(row);
  }

  async findByName(orgId: string, name: string) {
    const row = await this.db.selectFrom('repositories').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
    return row && toRepository(row);
  }

  async listForOrg(orgId: string) {
    return (await this.db.selectFrom('repositories').selectAll().where('org_id', '=', orgId).orderBy('name').execute()).map(toRepository);
  }

  async resolve(repoId: string, ref: string) {
    const branch = await this.db.selectFrom('branches').select('commit_id').where('repo_id', '=', repoId).where('name', '=', ref).executeTakeFirst();
    const row = await this.db
      .selectFrom('commits')
      .selectAll()
      .where('repo_id', '=', repoId)
      .where('id', '=', branch?.commit_id ?? ref)
      .executeTakeFirst();
    return row && toCommit(row);
  }

  async readBlob(id: string) {
    const row = await this.db.selectFrom('blobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, size: Number(row.size), content: row.content };
  }

  async commitFile(
    repoId: string,
    input: { branch: string; parentId?: string; path: string; content: string | null; message: string; authorId: string },
    now: number,
  ): Promise<CommitResult> {
    return this.db.transaction().execute(async (tx) => {
      const branch = await tx.selectFrom('branches').select('commit_id').where('repo_id', '=', repoId).where('name', '=', input.branch).executeTakeFirst();
      if (!branch) return { ok: false, reason: 'no_branch' } as const;
      if (input.parentId !== undefined && input.parentId !== branch.commit_id) return { ok: false, reason: 'stale_parent' } as const;
      const head = toCommit(await tx.selectFrom('commits').selectAll().where('id', '=', branch.commit_id).executeTakeFirstOrThrow());
      const tree = new Map(head.tree);
      let blobId: string | null = null;
      if (input.content === null) {
        // Before anything is written: deleting a file that is not there makes no commit.
        if (!tree.delete(input.path)) return { ok: false, reason: 'no_file' } as const;
      } else {
        blobId = digest(input.content);
        if (tree.get(input.path) === blobId) return { ok: false, reason: 'unchanged' } as const;
        // Content-addressed: the same content is stored once, whoever commits it.
        await tx
          .insertInto('blobs')
          .values({ id: blobId, size: Buffer.byteLength(input.content), content: input.content })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        tree.set(input.path, blobId);
      }
      const row: CommitsTable = {
        id: randomId(),
        repo_id: repoId,
        parent_id: head.id,
        tree: serializeTree(tree),
        message: input.message,
        author_id: input.authorId,
        created_at: now,
      };
      await tx.insertInto('commits').values(row).execute();
      // Conditional on the head read above: a concurrent commit makes this one a stale parent.
      const moved = await tx
        .updateTable('branches')
        .set({ commit_id: row.id })
        .where('repo_id', '=', repoId)
        .where('name', '=', input.branch)
        .where('commit_id', '=', head.id)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) throw new StaleParent();
      return { ok: true, commit: toCommit(row), blobId } as const;
    }).catch((err: unknown) => {
      if (err instanceof StaleParent) return { ok: false, reason: 'stale_parent' } as const;
      throw err;
    });
  }
}

/** Rolls the transaction back when the branch moved between reading it and writing. */
class StaleParent extends Error {}
