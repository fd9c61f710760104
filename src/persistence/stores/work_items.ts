import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { qualified, WORK_ITEM_COLUMNS } from '../columns.ts';
import type { WorkItemCommentsTable, WorkItemsTable } from '../schema.ts';
import type { Comment, ConditionalResult, WorkItem, WorkItemChanges, WorkItemFilter, WorkItemState, WorkItemStore, WorkItemType } from '../../domain/work_items.ts';
import { randomId } from '../../crypto/random.ts';

function toWorkItem(row: WorkItemsTable): WorkItem {
  return {
    projectId: row.project_id,
    number: Number(row.number),
    title: row.title,
    type: row.type as WorkItemType,
    state: row.state as WorkItemState,
    assigneeId: row.assignee_id,
    description: row.description,
    revision: Number(row.revision),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toComment(row: WorkItemCommentsTable): Comment {
  return { id: row.id, author: row.author_id, body: row.body, createdAt: Number(row.created_at) };
}


/** The API's hottest read (issue 7, scenario 1): compiled once (persistence/prepared.ts). */
function workItemQueries(db: Db) {
  return {
    byProjectKey: new PreparedQuery(db, (v: { orgId: string; projectKey: string; number: number }) =>
      db
        .selectFrom('projects as p')
        .leftJoin('work_items as w', (join) => join.onRef('w.project_id', '=', 'p.id').on('w.number', '=', v.number))
        .select(qualified('w', WORK_ITEM_COLUMNS))
        .select('p.id as found_project')
        .where('p.org_id', '=', v.orgId)
        .where('p.key', '=', v.projectKey),
    ),
  };
}

export class SqlWorkItemStore implements WorkItemStore {
  private readonly q: ReturnType<typeof workItemQueries>;

  constructor(private readonly db: Db) {
    this.q = workItemQueries(db);
  }

  async create(
    projectId: string,
    input: { title: string; type: WorkItemType; state: WorkItemState; assigneeId: string | null; description: string; createdBy: string },
    now: number,
  ): Promise<WorkItem> {
    // The project's counter is bumped in the same transaction: concurrent creates get distinct numbers.
    return this.db.transaction().execute(async (tx) => {
      const bumped = await tx
        .updateTable('projects')
        .set((eb) => ({ next_item: eb('next_item', '+', 1) }))
        .where('id', '=', projectId)
        .returning('next_item')
        .executeTakeFirstOrThrow();
      const row: WorkItemsTable = {
        project_id: projectId,
        number: Number(bumped.next_item) - 1,
        title: input.title,
        type: input.type,
        state: input.state,
        assignee_id: input.assigneeId,
        description: input.description,
        revision: 1,
        created_by: input.createdBy,
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto('work_items').values(row).execute();
      return toWorkItem(row);
    });
  }

  async find(projectId: string, number: number) {
    const row = await this.db.selectFrom('work_items').selectAll().where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
    return row && toWorkItem(row);
  }

  async findByProjectKey(orgId: string, projectKey: string, number: number) {
    const row = await this.q.byProjectKey.first(this.db, { orgId, projectKey, number });
    if (!row) return undefined;
    return { item: row.project_id === null ? undefined : toWorkItem(row as WorkItemsTable) };
  }

  async list(projectId: string, filter: WorkItemFilter) {
    let query = this.db.selectFrom('work_items').selectAll().where('project_id', '=', projectId);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.assigneeId) query = query.where('assignee_id', '=', filter.assigneeId);
    if (filter.after !== undefined) query = query.where('number', '>', filter.after);
    const rows = await query.orderBy('number').limit(filter.limit).execute();
    return rows.map(toWorkItem);
  }

  async update(projectId: string, number: number, revision: number | undefined, changes: WorkItemChanges, now: number): Promise<ConditionalResult> {
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('work_items').selectAll().where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
      if (!current) return { ok: false, reason: 'missing' } as const;
      if (revision !== undefined && Number(current.revision) !== revision) return { ok: false, reason: 'conflict' } as const;
      const next: WorkItemsTable = {
        ...current,
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.type !== undefined ? { type: changes.type } : {}),
        ...(changes.state !== undefined ? { state: changes.state } : {}),
        ...(changes.assigneeId !== undefined ? { assignee_id: changes.assigneeId } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        revision: Number(current.revision) + 1,
        updated_at: now,
      };
      // The revision in the WHERE clause makes the write conditional even without row locks (SQLite).
      const done = await tx
        .updateTable('work_items')
        .set({ title: next.title, type: next.type, state: next.state, assignee_id: next.assignee_id, description: next.description, revision: next.revision, updated_at: now })
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .where('revision', '=', Number(current.revision))
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return { ok: false, reason: 'conflict' } as const;
      return { ok: true, item: toWorkItem(next) } as const;
    });
  }

  async delete(projectId: string, number: number, revision: number | undefined) {
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('work_items').select('revision').where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
      if (!current) return 'missing' as const;
      if (revision !== undefined && Number(current.revision) !== revision) return 'conflict' as const;
      await tx.deleteFrom('work_item_comments').where('project_id', '=', projectId).where('number', '=', number).execute();
      const done = await tx
        .deleteFrom('work_items')
        .where('project_id', '=', projectId)
        .where('number', '=', number)
        .where('revision', '=', Number(current.revision))
        .executeTakeFirst();
      return Number(done.numDeletedRows) === 0 ? ('conflict' as const) : ('deleted' as const);
    });
  }

  async addComment(projectId: string, number: number, authorId: string, body: string, now: number) {
    const item = await this.find(projectId, number);
    if (!item) return undefined;
    const row: WorkItemCommentsTable = { id: randomId(), project_id: projectId, number, author_id: authorId, body, created_at: now };
    try {
      await this.db.insertInto('work_item_comments').values(row).execute();
    } catch (err) {
      // The item was deleted in between: the foreign key refuses the comment.
      if (await this.find(projectId, number)) throw err;
      return undefined;
    }
    return toComment(row);
  }

  async listComments(projectId: string, number: number) {
    const rows = await this.db
      .selectFrom('work_item_comments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('number', '=', number)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toComment);
  }
}
