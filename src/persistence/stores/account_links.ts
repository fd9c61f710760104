/** Links mailed to people (domain/account_links.ts), each written with its message. */
import type { Db } from '../database.ts';
import type { AccountLinksTable } from '../schema.ts';
import type { AccountLink, AccountLinkStore, LinkPurpose } from '../../domain/account_links.ts';
import type { MailIntent } from '../../domain/mail.ts';
import { insertMail } from './outbox.ts';

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
  };
}

export class SqlAccountLinkStore implements AccountLinkStore {
  constructor(private readonly db: Db) {}

  async create(link: Omit<AccountLink, 'usedAt'>, mail: MailIntent) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('account_links')
        .values({ id: link.id, user_id: link.userId, purpose: link.purpose, email: link.email, stamp: link.stamp, created_at: link.createdAt, expires_at: link.expiresAt, used_at: null })
        .execute();
      await insertMail(tx, mail, link.createdAt);
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
}
