/** Work items of a project: numbered per project, versioned by `revision` for optimistic concurrency. */
export const WORK_ITEM_TYPES = ['task', 'bug', 'feature'] as const;
export const WORK_ITEM_STATES = ['new', 'active', 'resolved', 'closed'] as const;
export type WorkItemType = (typeof WORK_ITEM_TYPES)[number];
export type WorkItemState = (typeof WORK_ITEM_STATES)[number];

export interface WorkItem {
  projectId: string;
  /** The id within the project: 1, 2, 3, … */
  number: number;
  title: string;
  type: WorkItemType;
  state: WorkItemState;
  assigneeId: string | null;
  description: string;
  /** 1 at creation, +1 on every change: the ETag. */
  revision: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorkItemChanges {
  title?: string;
  type?: WorkItemType;
  state?: WorkItemState;
  assigneeId?: string | null;
  description?: string;
}

export interface WorkItemFilter {
  state?: WorkItemState;
  type?: WorkItemType;
  assigneeId?: string;
  /** Items with a number greater than this (the cursor). */
  after?: number;
  limit: number;
}

export interface Comment {
  id: string;
  author: string;
  body: string;
  createdAt: number;
}

/** Result of a conditional write: the new item, `missing`, or `conflict` (revision moved on). */
export type ConditionalResult = { ok: true; item: WorkItem } | { ok: false; reason: 'missing' | 'conflict' };

export interface WorkItemStore {
  create(
    projectId: string,
    input: { title: string; type: WorkItemType; state: WorkItemState; assigneeId: string | null; description: string; createdBy: string },
    now: number,
  ): Promise<WorkItem>;
  find(projectId: string, number: number): Promise<WorkItem | undefined>;
  /**
   * The project (by organization and key) and its item in one read, for GET of one item (the API
   * read hot path): undefined when there is no such project, `item` undefined when the project has none.
   */
  findByProjectKey(orgId: string, projectKey: string, number: number): Promise<{ item: WorkItem | undefined } | undefined>;
  list(projectId: string, filter: WorkItemFilter): Promise<WorkItem[]>;
  /** Applies `changes` only if the item is still at `revision` (undefined: any revision). */
  update(projectId: string, number: number, revision: number | undefined, changes: WorkItemChanges, now: number): Promise<ConditionalResult>;
  /** Deletes the item and its comments only if it is still at `revision`. */
  delete(projectId: string, number: number, revision: number | undefined): Promise<'deleted' | 'missing' | 'conflict'>;
  addComment(projectId: string, number: number, authorId: string, body: string, now: number): Promise<Comment | undefined>;
  listComments(projectId: string, number: number): Promise<Comment[]>;
}
