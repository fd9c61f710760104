import { sql, type Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../schema.ts';
import type { SealedValue, SealedValueStore } from '../../domain/sealed_values.ts';

type Reader = Db | Transaction<Database>;

async function readAll(db: Reader): Promise<SealedValue[]> {
  const keys = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).orderBy('created_at').execute();
  const totp = await db.selectFrom('user_totp').select(['user_id', 'secret_sealed']).orderBy('user_id').execute();
  const directories = await db.selectFrom('directories').select(['id', 'client_secret_sealed']).orderBy('id').execute();
  return [
    ...keys.map((r): SealedValue => ({ kind: 'signing_key', id: r.kid, sealed: r.private_jwk })),
    ...totp.map((r): SealedValue => ({ kind: 'totp_secret', id: r.user_id, sealed: r.secret_sealed })),
    ...directories.map((r): SealedValue => ({ kind: 'directory_secret', id: r.id, sealed: r.client_secret_sealed })),
  ];
}

export class SqlSealedValueStore implements SealedValueStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  listAll() {
    return readAll(this.db);
  }

  async resealAll(reseal: (value: SealedValue) => string | undefined) {
    return this.db.transaction().execute(async (tx) => {
      if (this.dialect === 'postgres') {
        // Blocks inserts and updates (a TOTP enrolment on a node still on the old key) until commit; reads go on.
        await sql`lock table signing_keys, user_totp, directories in share row exclusive mode`.execute(tx);
      } else {
        // A write statement takes SQLite's single write lock now, before the reads, even when it changes no row.
        await sql`update signing_keys set state = state where 1 = 0`.execute(tx);
      }
      const values = await readAll(tx);
      // Computed before the first write: a value that cannot be opened aborts with nothing written.
      const changes = values.flatMap((value) => {
        const next = reseal(value);
        return next === undefined || next === value.sealed ? [] : [{ value, next }];
      });
      for (const { value, next } of changes) {
        // Compare-and-set on the old text: belt and braces under the lock.
        const result =
          value.kind === 'signing_key'
            ? await tx.updateTable('signing_keys').set({ private_jwk: next }).where('kid', '=', value.id).where('private_jwk', '=', value.sealed).executeTakeFirst()
            : value.kind === 'totp_secret'
              ? await tx.updateTable('user_totp').set({ secret_sealed: next }).where('user_id', '=', value.id).where('secret_sealed', '=', value.sealed).executeTakeFirst()
              : await tx.updateTable('directories').set({ client_secret_sealed: next }).where('id', '=', value.id).where('client_secret_sealed', '=', value.sealed).executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw new Error(`${value.kind} ${value.id} changed during the re-seal`);
      }
      return values;
    });
  }
}
