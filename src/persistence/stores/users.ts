import type { Transaction } from 'kysely';
import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { USER_COLUMNS } from '../columns.ts';
import type { Database, UsersTable } from '../schema.ts';
import { normalizeEmail, type RemovedFactors, type User, type UserStore, type UserTotp, type WithNewAccount } from '../../domain/users.ts';
import type { AccountLink } from '../../domain/account_links.ts';
import type { MailIntent } from '../../domain/mail.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { revokeRefreshTokensOf } from './tokens.ts';
import { insertAuditEvent } from './audit.ts';
import { insertLink, useLink } from './account_links.ts';
import { insertMail } from './outbox.ts';
import { insertPasskey } from './passkeys.ts';
import { endSessions } from './session_endings.ts';
import type { AuditEvent } from '../../domain/audit.ts';

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
    disabledAt: row.disabled_at,
    kind: row.kind,
    directoryId: row.directory_id,
    emailVerifiedAt: row.email_verified_at === null ? null : Number(row.email_verified_at),
    platformOperatorAt: row.platform_operator_at === null ? null : Number(row.platform_operator_at),
  };
}


/** A link that cannot be used: thrown inside its transaction to roll it back, caught as the outcome. */
class Refused extends Error {
  constructor(readonly outcome: string) {
    super(outcome);
  }
}

/** Read with every session (persistence/prepared.ts). */
function userQueries(db: Db) {
  return {
    byId: new PreparedQuery(db, (v: { id: string }) => db.selectFrom('users').select(USER_COLUMNS).where('id', '=', v.id)),
  };
}

export class SqlUserStore implements UserStore {
  private readonly q: ReturnType<typeof userQueries>;

  constructor(private readonly db: Db) {
    this.q = userQueries(db);
  }

  async create(input: { email: string; name: string; passwordHash: string | null; emailVerified?: boolean }, now: number, withIt?: (user: User) => WithNewAccount) {
    const row: UsersTable = {
      id: randomId(),
      email: normalizeEmail(input.email),
      name: input.name,
      password_hash: input.passwordHash,
      created_at: now,
      updated_at: now,
      password_changed_at: input.passwordHash ? now : null,
      disabled_at: null,
      kind: 'personal',
      directory_id: null,
      email_verified_at: input.emailVerified === true ? now : null,
      platform_operator_at: null,
    };
    const user = toUser(row);
    const rows = withIt?.(user) ?? {};
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('users').values(row).execute();
        if (rows.link) await insertLink(tx, rows.link);
        if (rows.mail) await insertMail(tx, rows.mail, now);
        if (rows.event) await insertAuditEvent(tx, rows.event, now);
        if (rows.passkey) {
          await insertPasskey(tx, rows.passkey.row);
          await insertAuditEvent(tx, rows.passkey.event, now);
        }
      });
    } catch (err) {
      // The address taken (a passkey's credential id is checked unused before: passkey_registration.ts).
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return user;
  }

  async verifyEmailWithLink(linkId: string, userId: string, email: string, now: number, event: AuditEvent) {
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (!(await useLink(tx, linkId, 'verify_email', now))) throw new Refused('used');
        const result = await tx
          .updateTable('users')
          .set({ email_verified_at: now })
          .where('id', '=', userId)
          .where('email', '=', normalizeEmail(email))
          .where('email_verified_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) {
          const current = await tx.selectFrom('users').select(['email', 'email_verified_at']).where('id', '=', userId).executeTakeFirst();
          throw new Refused(current?.email === normalizeEmail(email) && current.email_verified_at !== null ? 'already' : 'stale');
        }
        await insertAuditEvent(tx, event, now);
        return 'verified' as const;
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome as 'already' | 'used' | 'stale';
      throw err;
    }
  }

  async changeEmailWithLink(linkId: string, userId: string, from: string, to: string, now: number, event: AuditEvent) {
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (!(await useLink(tx, linkId, 'change_email', now))) throw new Refused('used');
        // The unique index on personal addresses settles a race with a sign-up or another change.
        const result = await tx
          .updateTable('users')
          .set({ email: normalizeEmail(to), email_verified_at: now, updated_at: now })
          .where('id', '=', userId)
          .where('email', '=', normalizeEmail(from))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw new Refused('stale');
        // A reset link mailed to the old address must not outlive it (verification and change
        // links die by themselves: they are bound to the address, domain/account_links.ts).
        await tx
          .updateTable('account_links')
          .set({ expires_at: now })
          .where('user_id', '=', userId)
          .where('purpose', '=', 'reset_password')
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .execute();
        await insertAuditEvent(tx, event, now);
        return 'changed' as const;
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome as 'used' | 'stale';
      if (isUniqueViolation(err)) return 'taken' as const;
      throw err;
    }
  }

  async findById(id: string) {
    const row = await this.q.byId.first(this.db, { id });
    return row && toUser(row);
  }

  async findByEmail(email: string) {
    // SECURITY 48: only personal accounts are found by email (a work account may share it).
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalizeEmail(email))
      .where('kind', '=', 'personal')
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findVerifiedByEmail(email: string) {
    const rows = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('email', '=', normalizeEmail(email))
      .where('email_verified_at', 'is not', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toUser);
  }

  async resetPasswordWithLink(linkId: string, userId: string, change: { email: string; previousHash: string | null; passwordHash: string }, now: number, event: AuditEvent) {
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (!(await useLink(tx, linkId, 'reset_password', now))) throw new Refused('used');
        const changed = await tx
          .updateTable('users')
          .set({ password_hash: change.passwordHash, password_changed_at: now, updated_at: now })
          .where('id', '=', userId)
          .$if(change.previousHash !== null, (q) => q.where('password_hash', '=', change.previousHash!))
          // No password: only while no passkey opens the account either (a mailbox is not a passkey).
          .$if(change.previousHash === null, (q) => q.where('password_hash', 'is', null).where((eb) => eb.not(eb.exists(eb.selectFrom('passkeys').select('id').where('user_id', '=', userId)))))
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) !== 1) throw new Refused('stale');
        // Every way in that the old password opened ends: sessions, sign-ins waiting for a code, refresh tokens.
        await endSessions(tx, { userId }, now);
        await tx.updateTable('pending_sign_ins').set({ consumed_at: now }).where('user_id', '=', userId).where('consumed_at', 'is', null).execute();
        await revokeRefreshTokensOf(tx, tx.selectFrom('grants').select('id').where('user_id', '=', userId), now);
        const verified = await tx
          .updateTable('users')
          .set({ email_verified_at: now })
          .where('id', '=', userId)
          .where('email', '=', normalizeEmail(change.email))
          .where('email_verified_at', 'is', null)
          .executeTakeFirst();
        await insertAuditEvent(tx, event, now);
        if (Number(verified.numUpdatedRows) === 1) await insertAuditEvent(tx, { type: 'user.email_verified', userId, ip: event.ip ?? null, detail: { via: 'password_reset' } }, now);
        return 'reset' as const;
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome as 'used' | 'stale';
      throw err;
    }
  }

  async listByEmail(email: string) {
    const rows = await this.db.selectFrom('users').select(USER_COLUMNS).where('email', '=', normalizeEmail(email)).orderBy('created_at').orderBy('id').execute();
    return rows.map(toUser);
  }

  async setEmailVerified(id: string, email: string, verifiedAt: number | null) {
    let query = this.db
      .updateTable('users')
      .set({ email_verified_at: verifiedAt })
      .where('id', '=', id)
      .where('email', '=', normalizeEmail(email));
    query = verifiedAt === null ? query.where('email_verified_at', 'is not', null) : query.where('email_verified_at', 'is', null);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async rename(id: string, name: string, now: number) {
    await this.db.updateTable('users').set({ name, updated_at: now }).where('id', '=', id).execute();
  }

  async changePassword(id: string, passwordHash: string, keepSessionId: string, now: number, event?: AuditEvent) {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, updated_at: now }).where('id', '=', id).execute();
      await endSessions(trx, { userId: id, except: keepSessionId }, now);
      await revokeRefreshTokensOf(trx, trx.selectFrom('grants').select('id').where('user_id', '=', id), now);
      if (event) await insertAuditEvent(trx, event, now);
    });
  }

  async disable(id: string, now: number) {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ disabled_at: now, updated_at: now }).where('id', '=', id).where('disabled_at', 'is', null).execute();
      return { sessionsEnded: await endSessions(trx, { userId: id }, now) };
    });
  }

  async setPlatformOperator(id: string, operator: boolean, now: number, event: AuditEvent) {
    return this.db.transaction().execute(async (tx) => {
      const changed = await tx
        .updateTable('users')
        .set({ platform_operator_at: operator ? now : null, updated_at: now })
        .where('id', '=', id)
        .where('platform_operator_at', operator ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) return false;
      await insertAuditEvent(tx, event, now);
      return true;
    });
  }

  async enable(id: string, now: number) {
    const result = await this.db.updateTable('users').set({ disabled_at: null, updated_at: now }).where('id', '=', id).where('disabled_at', 'is not', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findTotp(userId: string): Promise<UserTotp | undefined> {
    const row = await this.db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row && { secretSealed: row.secret_sealed, enabledAt: row.enabled_at === null ? null : Number(row.enabled_at), lastStep: row.last_step === null ? null : Number(row.last_step) };
  }

  async startTotp(userId: string, secretSealed: string, now: number) {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('user_totp').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
      if (existing && existing.enabled_at !== null) return false;
      await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
      await trx.insertInto('user_totp').values({ user_id: userId, secret_sealed: secretSealed, created_at: now, enabled_at: null, last_step: null }).execute();
      return true;
    });
  }

  async enableTotp(userId: string, step: number, recoveryDigests: string[], now: number, event?: AuditEvent) {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('user_totp')
        .set({ enabled_at: now, last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (recoveryDigests.length > 0) {
        await trx.insertInto('recovery_codes').values(recoveryDigests.map((id) => ({ id, user_id: userId, created_at: now, used_at: null }))).execute();
      }
      if (event) await insertAuditEvent(trx, event, now);
      return true;
    });
  }

  async disableTotp(userId: string, now: number, event?: AuditEvent) {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
      if (event) await insertAuditEvent(trx, event, now);
    });
  }

  async useTotpStep(userId: string, step: number) {
    // One conditional update: two requests with the same code cannot both win.
    const result = await this.db
      .updateTable('user_totp')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async useRecoveryCode(userId: string, digest: string, now: number, event?: (remaining: number) => AuditEvent) {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('id', '=', digest)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      // The code and its event (and so its notice) commit together, or neither does (issue 15).
      if (event) await insertAuditEvent(tx, event(await unusedRecoveryCodes(tx, userId)), now);
      return true;
    });
  }

  async removeSecondFactors(userId: string, now: number, event: (removed: RemovedFactors) => AuditEvent, link?: { link: Omit<AccountLink, 'usedAt'>; mail: MailIntent }) {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const recoveryCodes = await unusedRecoveryCodes(tx, userId);
        await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        const totp = await tx.deleteFrom('user_totp').where('user_id', '=', userId).where('enabled_at', 'is not', null).executeTakeFirst();
        // An unconfirmed secret is no factor, but it goes too: the person starts afresh.
        await tx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
        const passkeys = await tx.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
        const removed: RemovedFactors = { totp: Number(totp.numDeletedRows) > 0, recoveryCodes, passkeys: Number(passkeys.numDeletedRows) };
        if (!removed.totp && removed.passkeys === 0) throw new Refused('none');
        await tx.deleteFrom('second_factor_failures').where('user_id', '=', userId).execute();
        await insertAuditEvent(tx, event(removed), now);
        if (link) {
          await insertLink(tx, link.link);
          await insertMail(tx, link.mail, now);
        }
        return removed;
      });
    } catch (err) {
      if (err instanceof Refused) return undefined;
      throw err;
    }
  }

  async countUnusedRecoveryCodes(userId: string) {
    return unusedRecoveryCodes(this.db, userId);
  }
}

async function unusedRecoveryCodes(db: Db | Transaction<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
