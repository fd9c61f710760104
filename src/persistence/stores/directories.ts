import type { Db } from '../database.ts';
import type { DirectoriesTable, UsersTable } from '../schema.ts';
import type { CreateDirectoryResult, Directory, DirectoryStore, DirectoryTransaction } from '../../domain/directories.ts';
import type { User } from '../../domain/users.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { revokeRefreshTokensOf } from './tokens.ts';
import { toUser } from './users.ts';
import { endSessions } from './session_endings.ts';

function toDirectory(row: DirectoriesTable, domains: string[]): Directory {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    domains: [...domains].sort(),
    createdAt: row.created_at,
  };
}

export class SqlDirectoryStore implements DirectoryStore {
  constructor(private readonly db: Db) {}

  async create(d: Directory): Promise<CreateDirectoryResult> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('directories')
          .values({ id: d.id, name: d.name, issuer: d.issuer, client_id: d.clientId, client_secret_sealed: d.clientSecretSealed, created_at: d.createdAt })
          .execute();
        await trx.insertInto('directory_domains').values(d.domains.map((domain) => ({ domain, directory_id: d.id }))).execute();
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { conflict: (await this.findByName(d.name)) ? 'name' : 'domain' };
    }
    return { directory: { ...d, domains: [...d.domains].sort() } };
  }

  async list(): Promise<Directory[]> {
    const rows = await this.db.selectFrom('directories').selectAll().orderBy('name').execute();
    const domains = await this.db.selectFrom('directory_domains').selectAll().execute();
    return rows.map((row) => toDirectory(row, domains.filter((d) => d.directory_id === row.id).map((d) => d.domain)));
  }

  private async withDomains(row: DirectoriesTable | undefined): Promise<Directory | undefined> {
    if (!row) return undefined;
    const domains = await this.db.selectFrom('directory_domains').select('domain').where('directory_id', '=', row.id).execute();
    return toDirectory(row, domains.map((d) => d.domain));
  }

  async find(id: string) {
    return this.withDomains(await this.db.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async findByName(name: string) {
    return this.withDomains(await this.db.selectFrom('directories').selectAll().where('name', '=', name).executeTakeFirst());
  }

  async findByDomain(domain: string) {
    const row = await this.db
      .selectFrom('directory_domains')
      .innerJoin('directories', 'directories.id', 'directory_domains.directory_id')
      .selectAll('directories')
      .where('directory_domains.domain', '=', domain.toLowerCase())
      .executeTakeFirst();
    return this.withDomains(row);
  }

  async remove(id: string, now: number) {
    return this.db.transaction().execute(async (trx) => {
      const users = trx.selectFrom('users').select('id').where('directory_id', '=', id);
      const userIds = (await users.execute()).map((u) => u.id);
      const ended = await endSessions(trx, { userIds }, now);
      // Their services lose the refresh tokens too, as when a password changes (SECURITY 37).
      await revokeRefreshTokensOf(trx, trx.selectFrom('grants').select('id').where('user_id', 'in', users), now);
      // Domains cascade; users.directory_id and federated_identities.directory_id become null.
      const removed = await trx.deleteFrom('directories').where('id', '=', id).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return undefined;
      return { sessionsEnded: ended };
    });
  }

  async findAccount(issuer: string, subject: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('federated_identities')
      .innerJoin('users', 'users.id', 'federated_identities.user_id')
      .selectAll('users')
      .where('federated_identities.issuer', '=', issuer)
      .where('federated_identities.subject', '=', subject)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async createAccount(input: { issuer: string; subject: string; directoryId: string; email: string; name: string }, now: number): Promise<User> {
    const row: UsersTable = {
      id: randomId(),
      email: normalizeEmail(input.email),
      name: input.name,
      password_hash: null,
      created_at: now,
      updated_at: now,
      password_changed_at: null,
      disabled_at: null,
      kind: 'work',
      directory_id: input.directoryId,
      // Recorded by the sign-in when the directory says `email_verified` (services/accounts/work_accounts.ts).
      email_verified_at: null,
      platform_operator_at: null,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(row).execute();
        await trx
          .insertInto('federated_identities')
          .values({ issuer: input.issuer, subject: input.subject, user_id: row.id, directory_id: input.directoryId, created_at: now })
          .execute();
      });
    } catch (err) {
      // Two first sign-ins of the same person at once: the other one made the account.
      if (!isUniqueViolation(err)) throw err;
      const existing = await this.findAccount(input.issuer, input.subject);
      if (!existing) throw err;
      return existing;
    }
    return toUser(row);
  }

  async createTransaction(t: DirectoryTransaction) {
    // Expired transactions are of no use, not even to detect a replay (an expired one is refused anyway).
    await this.db.deleteFrom('directory_transactions').where('expires_at', '<', t.createdAt).execute();
    await this.db
      .insertInto('directory_transactions')
      .values({
        id: t.id,
        directory_id: t.directoryId,
        issuer: t.issuer,
        state: t.state,
        nonce: t.nonce,
        code_verifier: t.codeVerifier,
        interaction_id: t.interactionId,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        consumed_at: null,
      })
      .execute();
  }

  async consumeTransaction(id: string, now: number): Promise<DirectoryTransaction | undefined> {
    // One conditional update: of two requests carrying the same cookie, only one gets the transaction.
    const result = await this.db
      .updateTable('directory_transactions')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    const row = await this.db.selectFrom('directory_transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return {
      id: row.id,
      directoryId: row.directory_id,
      issuer: row.issuer,
      state: row.state,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      interactionId: row.interaction_id,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }
}
