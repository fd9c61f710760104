/**
 * Accepted DPoP proofs (RFC 9449 §11.1). The insert is the replay check: the primary key makes a
 * second insert of the same id a no-op on either dialect, so exactly one request accepts a proof
 * whichever node it reaches. Compiled once: a DPoP-bound API read runs it on every call.
 * @module
 */
import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import type { DpopProofStore } from '../../domain/dpop_proofs.ts';

export class SqlDpopProofStore implements DpopProofStore {
  private readonly insert: PreparedQuery<{ id: string; expiresAt: number }, unknown>;

  constructor(private readonly db: Db) {
    this.insert = new PreparedQuery(db, (v: { id: string; expiresAt: number }) =>
      db.insertInto('dpop_proofs').values({ id: v.id, expires_at: v.expiresAt }).onConflict((oc) => oc.column('id').doNothing()),
    );
  }

  async remember(id: string, expiresAt: number): Promise<boolean> {
    return (await this.insert.changed(this.db, { id, expiresAt })) === 1;
  }
}
