/**
 * Repositories of an organization: UTF-8 text files stored by Tessera, versioned by commits. Each
 * commit records the whole tree (path → blob id); blobs are content-addressed (SHA-256), so an
 * unchanged file costs nothing in a new commit.
 * @module
 */
export interface Repository {
  id: string;
  orgId: string;
  name: string;
  defaultBranch: string;
  createdAt: number;
}

/**
 * path → blob id. A `Map`, never a plain object: a path is chosen by the user, and one named
 * `constructor`, `__proto__` or `toString` must be a file like any other, not an inherited member.
 */
export type Tree = ReadonlyMap<string, string>;

export interface Commit {
  id: string;
  parentId: string | null;
  tree: Tree;
  message: string;
  authorId: string;
  createdAt: number;
}

export interface Blob {
  id: string;
  size: number;
  content: string;
}

export type CommitResult =
  | { ok: true; commit: Commit; blobId: string | null }
  | { ok: false; reason: 'no_branch' | 'stale_parent' | 'no_file' | 'unchanged' };

export interface RepositoryStore {
  /** Creates the repository with an empty first commit on `defaultBranch`; `undefined` if the name is taken. */
  create(input: { orgId: string; name: string; defaultBranch: string; authorId: string }, now: number): Promise<Repository | undefined>;
  findByName(orgId: string, name: string): Promise<Repository | undefined>;
  listForOrg(orgId: string): Promise<Repository[]>;
  /** A branch name, else a commit id of this repository. */
  resolve(repoId: string, ref: string): Promise<Commit | undefined>;
  readBlob(id: string): Promise<Blob | undefined>;
  /**
   * Writes (`content`) or deletes (`null`) one file on `branch` as a new commit, only if the
   * branch still points at `parentId` when given (no lost update).
   */
  commitFile(
    repoId: string,
    input: { branch: string; parentId?: string; path: string; content: string | null; message: string; authorId: string },
    now: number,
  ): Promise<CommitResult>;
}

/** Repository names: letters, digits, `.`, `_`, `-`; 1–100 characters; not `.` or `..`. */
export function isValidRepoName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,100}$/.test(name) && name !== '.' && name !== '..';
}

/** A file path: `/`-separated non-empty segments, none `.` or `..`, no NUL or backslash; at most 500 characters. */
export function normalizePath(path: string): string | undefined {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed.length > 500 || /[\\\0]/.test(trimmed)) return undefined;
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return segments.join('/');
}

/** Entries directly under `dir` ('' is the root) in a tree: files and sub-directories, sorted. */
export function listDirectory(tree: Tree, dir: string): { name: string; type: 'file' | 'dir' }[] | undefined {
  const prefix = dir === '' ? '' : `${dir}/`;
  const entries = new Map<string, 'file' | 'dir'>();
  for (const path of tree.keys()) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) entries.set(rest, 'file');
    else entries.set(rest.slice(0, slash), 'dir');
  }
  if (entries.size === 0 && dir !== '') return undefined;
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, type]) => ({ name, type }));
}
