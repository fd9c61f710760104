/**
 * Ending sessions, one rule for every path (issue 19): each session ended here has the logout
 * tokens of its apps written in the same transaction (OpenID Connect Back-Channel Logout 1.0 §2.5,
 * stores/outbound_deliveries.ts). The paths: sign-out (/logout/confirm), ending one's other
 * session, a new sign-in replacing the browser's session, a password change or reset, an account
 * disabled, a company directory removed, and a session found in use past its idle timeout or with
 * its account disabled (services/accounts/sessions.ts findSignedIn). A session that lapses while
 * nobody presents it again is never ended, and sends nothing: the person did nothing.
 * @module
 */
import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { insertLogoutDeliveries } from './outbound_deliveries.ts';

/** Which live sessions to end: one by id, one of a person's, or all of a person's but one. */
export type SessionFilter = { id: string; userId?: string } | { userId: string; except?: string } | { userIds: readonly string[] };

/** Ends the matching live sessions and queues their logout tokens; the number ended. */
export async function endSessions(tx: Transaction<Database>, filter: SessionFilter, now: number): Promise<number> {
  let query = tx.updateTable('sessions').set({ ended_at: now }).where('ended_at', 'is', null);
  if ('id' in filter) query = query.where('id', '=', filter.id);
  if ('userIds' in filter) {
    if (filter.userIds.length === 0) return 0;
    query = query.where('user_id', 'in', [...filter.userIds]);
  }
  if ('userId' in filter && filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if ('except' in filter && filter.except !== undefined) query = query.where('id', '!=', filter.except);
  const ended = await query.returning('id').execute();
  await insertLogoutDeliveries(
    tx,
    ended.map((row) => row.id),
    now,
  );
  return ended.length;
}
