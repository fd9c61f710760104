import type { Db } from '../database.ts';
import type { ProjectsTable } from '../schema.ts';
import type { Project, ProjectStore } from '../../domain/projects.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';

function toProject(row: ProjectsTable): Project {
  return { id: row.id, orgId: row.org_id, key: row.key, name: row.name, description: row.description, createdAt: Number(row.created_at) };
}

export class SqlProjectStore implements ProjectStore {
  constructor(private readonly db: Db) {}

  async create(input: { orgId: string; key: string; name: string; description: string }, now: number) {
    const row: ProjectsTable = { id: randomId(), org_id: input.orgId, key: input.key, name: input.name, description: input.description, next_item: 1, created_at: now };
    try {
      await this.db.insertInto('projects').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return toProject(row);
  }

  async findByKey(orgId: string, key: string) {
    const row = await this.db.selectFrom('projects').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
    return row && toProject(row);
  }

  async listForOrg(orgId: string) {
    const rows = await this.db.selectFrom('projects').selectAll().where('org_id', '=', orgId).orderBy('key').execute();
    return rows.map(toProject);
  }
}
