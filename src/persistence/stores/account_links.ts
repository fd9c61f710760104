/** Links mailed to people (domain/account_links.ts), each written with its message. */
import type { Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { AccountLinksTable, Database } from '../schema.ts';
import type { AccountLink, AccountLinkStore, LinkPurpose } from '../../domain/account_links.ts';
import type { MailIntent } from '../../domain/mail.ts';
import { insertMail } from './outbox.ts';
import { randomId } from '../../crypto/random.ts';

export function toAccountLink(row: AccountLinksTable): AccountLink {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    email: row.email,
    stamp: row.stamp,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    browserDigest: row.browser_digest ?? null,
    interactionId: row.interaction_id ?? null,
  };
}

/** Writes a link row, on its own or inside another store's transaction (with the change it belongs to). */
export async function insertLink(db: Db | Transaction<Database>, link: Omit<AccountLink, 'usedAt'>): Promise<void> {
  await db
    .insertInto('account_links')
    .values({
      id: link.id,
      user_id: link.userId,
      purpose: link.purpose,
      email: link.email,
      stamp: link.stamp,
      created_at: link.createdAt,
      expires_at: link.expiresAt,
      used_at: null,
      browser_digest: link.browserDigest ?? null,
      interaction_id: link.interactionId ?? null,
    })
    .execute();
}

/**
 * Marks a link used inside the transaction of the change it allows: a conditional UPDATE, so of
 * two uses at once (two tabs, two nodes) one wins. False when it was used, or is expired.
 */
export async function useLink(tx: Transaction<Database>, id: string, purpose: LinkPurpose, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('account_links')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export class SqlAccountLinkStore implements AccountLinkStore {
  constructor(private readonly db: Db) {}

  async create(link: Omit<AccountLink, 'usedAt'>, mail: MailIntent) {
    await this.db.transaction().execute(async (tx) => {
      await insertLink(tx, link);
      await insertMail(tx, mail, link.createdAt);
    });
  }

  async writeResetMail(mail: MailIntent, link: Omit<AccountLink, 'usedAt'> | undefined, now: number) {
    await this.db.transaction().execute(async (tx) => {
      if (link) await insertLink(tx, link);
      // The same round trip and index lookup as the link's insert, for an address with no link (SECURITY 33).
      else await tx.updateTable('account_links').set({ used_at: now }).where('id', '=', randomId()).where('used_at', 'is', null).execute();
      await insertMail(tx, mail, now);
    });
  }

  async find(id: string) {
    const row = await this.db.selectFrom('account_links').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccountLink(row);
  }

  async latest(userId: string, purpose: LinkPurpose) {
    const row = await this.db
      .selectFrom('account_links')
      .selectAll()
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toAccountLink(row);
  }

  async createdSince(userId: string, purpose: LinkPurpose, since: number) {
    const rows = await this.db
      .selectFrom('account_links')
      .select('created_at')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => Number(r.created_at));
  }
}
