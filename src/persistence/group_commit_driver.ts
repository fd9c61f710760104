/**
 * Kysely's SQLite dialect over persistence/group_commit.ts: the stores keep calling
 * `db.transaction()` and `execute()`, and their transactions and single writes are grouped into one
 * COMMIT per turn of the event loop underneath. Each `acquireConnection` hands out a connection
 * object of its own, which is how GroupCommit tells a unit's statements from everyone else's.
 * @module
 */
import { SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import type { GroupCommit } from './group_commit.ts';

class GroupConnection implements DatabaseConnection {
  constructor(private readonly group: GroupCommit) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.group.execute(this, query.sql, query.parameters) as Promise<QueryResult<R>>;
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Read whole, then handed out row by row: an iterator held open across awaits would keep the
    // connection busy while a group wants it.
    const { rows } = await this.executeQuery<R>(query);
    for (const row of rows) yield { rows: [row] };
  }
}

class GroupCommitDriver implements Driver {
  constructor(private readonly group: GroupCommit) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupConnection(this.group);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.group.begin(connection);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.group.commit(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.group.rollback(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.group.execute(connection, `savepoint ${quoted(name)}`, []);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.group.execute(connection, `rollback to ${quoted(name)}`, []);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.group.execute(connection, `release ${quoted(name)}`, []);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.group.done(connection);
  }

  async destroy(): Promise<void> {
    await this.group.close();
  }
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly group: GroupCommit) {
    super({ database: group.sqlite });
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.group);
  }
}
