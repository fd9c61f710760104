import type { Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { BuildDefinitionsTable, BuildsTable, Database } from '../schema.ts';
import type { Build, BuildDefinition, BuildFilter, BuildLogLine, BuildStatus, BuildStep, BuildStore, ClaimedBuild } from '../../domain/builds.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';

function toDefinition(row: BuildDefinitionsTable & { repo_name: string }): BuildDefinition {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    repoId: row.repo_id,
    repoName: row.repo_name,
    branch: row.branch,
    steps: JSON.parse(row.steps) as BuildStep[],
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

const num = (v: number | null) => (v === null ? null : Number(v));

function toBuild(row: BuildsTable & { definition_name: string }): Build {
  return {
    id: row.id,
    projectId: row.project_id,
    number: Number(row.number),
    definitionId: row.definition_id,
    definitionName: row.definition_name,
    status: row.status as BuildStatus,
    branch: row.branch,
    commitId: row.commit_id,
    queuedBy: row.queued_by,
    queuedAt: Number(row.queued_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    attempts: Number(row.attempts),
    result: row.result,
  };
}

export class SqlBuildStore implements BuildStore {
  constructor(private readonly db: Db) {}

  private definitions() {
    return this.db.selectFrom('build_definitions').innerJoin('repositories', 'repositories.id', 'build_definitions.repo_id').selectAll('build_definitions').select('repositories.name as repo_name');
  }

  private builds(db: Db | Transaction<Database> = this.db) {
    return db.selectFrom('builds').innerJoin('build_definitions', 'build_definitions.id', 'builds.definition_id').selectAll('builds').select('build_definitions.name as definition_name');
  }

  async createDefinition(input: { projectId: string; name: string; repoId: string; branch: string; steps: BuildStep[]; createdBy: string }, now: number) {
    const row: BuildDefinitionsTable = {
      id: randomId(),
      project_id: input.projectId,
      name: input.name,
      repo_id: input.repoId,
      branch: input.branch,
      steps: JSON.stringify(input.steps),
      created_by: input.createdBy,
      created_at: now,
    };
    try {
      await this.db.insertInto('build_definitions').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return this.findDefinition(input.projectId, input.name);
  }

  async findDefinition(projectId: string, name: string) {
    const row = await this.definitions().where('build_definitions.project_id', '=', projectId).where('build_definitions.name', '=', name).executeTakeFirst();
    return row && toDefinition(row);
  }

  async listDefinitions(projectId: string) {
    return (await this.definitions().where('build_definitions.project_id', '=', projectId).orderBy('build_definitions.name').execute()).map(toDefinition);
  }

  async queue(input: { projectId: string; definitionId: string; branch: string; commitId: string; queuedBy: string }, now: number): Promise<Build> {
    const id = randomId();
    // The build as queued, read in its own transaction: a runner may take it the moment it commits.
    const row = await this.db.transaction().execute(async (tx) => {
      // The project's counter, bumped in the same transaction: concurrent queues get distinct numbers.
      await tx
        .insertInto('build_sequences')
        .values({ project_id: input.projectId, next_number: 1 })
        .onConflict((oc) => oc.column('project_id').doNothing())
        .execute();
      const bumped = await tx
        .updateTable('build_sequences')
        .set((eb) => ({ next_number: eb('next_number', '+', 1) }))
        .where('project_id', '=', input.projectId)
        .returning('next_number')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('builds')
        .values({
          id,
          project_id: input.projectId,
          number: Number(bumped.next_number) - 1,
          definition_id: input.definitionId,
          status: 'queued',
          branch: input.branch,
          commit_id: input.commitId,
          queued_by: input.queuedBy,
          queued_at: now,
          started_at: null,
          finished_at: null,
          runner_id: null,
          lease_expires_at: null,
          attempts: 0,
          result: null,
        })
        .execute();
      return this.builds(tx).where('builds.id', '=', id).executeTakeFirstOrThrow();
    });
    return toBuild(row);
  }

  async find(projectId: string, number: number) {
    const row = await this.builds().where('builds.project_id', '=', projectId).where('builds.number', '=', number).executeTakeFirst();
    return row && toBuild(row);
  }

  async countPending(projectId: string) {
    const row = await this.db
      .selectFrom('builds')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(projectId: string, filter: BuildFilter) {
    let query = this.builds().where('builds.project_id', '=', projectId);
    if (filter.definitionId) query = query.where('builds.definition_id', '=', filter.definitionId);
    if (filter.status) query = query.where('builds.status', '=', filter.status);
    if (filter.before !== undefined) query = query.where('builds.number', '<', filter.before);
    return (await query.orderBy('builds.number', 'desc').limit(filter.limit).execute()).map(toBuild);
  }

  async readLog(buildId: string): Promise<BuildLogLine[]> {
    const rows = await this.db.selectFrom('build_log_lines').selectAll().where('build_id', '=', buildId).orderBy('attempt').orderBy('seq').execute();
    return rows.map((r) => ({ attempt: Number(r.attempt), seq: Number(r.seq), at: Number(r.at), text: r.text }));
  }

  async claimNext(runnerId: string, now: number, leaseUntil: number): Promise<ClaimedBuild | undefined> {
    const candidates = await this.db.selectFrom('builds').select('id').where('status', '=', 'queued').orderBy('queued_at').orderBy('number').limit(5).execute();
    for (const { id } of candidates) {
      // The conditional UPDATE is the claim: of several runners racing for this row, exactly one
      // sees `status = 'queued'` (PostgreSQL re-checks it after the row lock; SQLite has one writer).
      const claimed = await this.db
        .updateTable('builds')
        .set((eb) => ({ status: 'running', runner_id: runnerId, lease_expires_at: leaseUntil, started_at: now, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .returning(['attempts', 'number', 'commit_id', 'definition_id'])
        .executeTakeFirst();
      if (!claimed) continue;
      const definition = await this.db.selectFrom('build_definitions').select(['repo_id', 'steps']).where('id', '=', claimed.definition_id).executeTakeFirstOrThrow();
      return {
        id,
        number: Number(claimed.number),
        repoId: definition.repo_id,
        commitId: claimed.commit_id,
        steps: JSON.parse(definition.steps) as BuildStep[],
        attempt: Number(claimed.attempts),
      };
    }
    return undefined;
  }

  private held(buildId: string, runnerId: string, attempt: number) {
    return this.db.updateTable('builds').where('id', '=', buildId).where('runner_id', '=', runnerId).where('attempts', '=', attempt).where('status', '=', 'running');
  }

  async renew(buildId: string, runnerId: string, attempt: number, leaseUntil: number) {
    const done = await this.held(buildId, runnerId, attempt).set({ lease_expires_at: leaseUntil }).executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  async appendLog(buildId: string, lines: readonly BuildLogLine[]) {
    if (lines.length === 0) return;
    await this.db
      .insertInto('build_log_lines')
      .values(lines.map((l) => ({ build_id: buildId, attempt: l.attempt, seq: l.seq, at: l.at, text: l.text })))
      .execute();
  }

  async finish(buildId: string, runnerId: string, attempt: number, status: 'succeeded' | 'failed', result: string | null, now: number) {
    const done = await this.held(buildId, runnerId, attempt).set({ status, result, finished_at: now, runner_id: null, lease_expires_at: null }).executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  async release(buildId: string, runnerId: string, attempt: number) {
    const done = await this.held(buildId, runnerId, attempt).set({ status: 'queued', runner_id: null, lease_expires_at: null, started_at: null }).executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  async reapExpired(now: number, maxAttempts: number) {
    // Every node calls this on every poll: a read first, so the common case writes nothing.
    const any = await this.db.selectFrom('builds').select('id').where('status', '=', 'running').where('lease_expires_at', '<', now).limit(1).executeTakeFirst();
    if (!any) return { requeued: 0, failed: 0 };
    const expired = () => this.db.updateTable('builds').where('status', '=', 'running').where('lease_expires_at', '<', now);
    const failed = await expired()
      .where('attempts', '>=', maxAttempts)
      .set({ status: 'failed', finished_at: now, runner_id: null, lease_expires_at: null, result: `the runner stopped answering, ${maxAttempts} times; not retried again` })
      .executeTakeFirst();
    const requeued = await expired().where('attempts', '<', maxAttempts).set({ status: 'queued', runner_id: null, lease_expires_at: null, started_at: null }).executeTakeFirst();
    return { requeued: Number(requeued.numUpdatedRows), failed: Number(failed.numUpdatedRows) };
  }
}
