import type { Db } from '../database.ts';
import type { UsersTable } from '../schema.ts';
import { normalizeEmail, type User, type UserStore } from '../../domain/users.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
    disabledAt: row.disabled_at,
  };
}

export class SqlUserStore implements UserStore {
  constructor(private readonly db: Db) {}

  async create(input: { email: string; name: string; passwordHash: string | null }, now: number) {
    const row: UsersTable = {
      id: randomId(),
      email: normalizeEmail(input.email),
      name: input.name,
      password_hash: input.passwordHash,
      created_at: now,
      updated_at: now,
      password_changed_at: input.passwordHash ? now : null,
      disabled_at: null,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return toUser(row);
  }

  async findById(id: string) {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async findByEmail(email: string) {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
    return row && toUser(row);
  }
}
