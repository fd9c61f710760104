import type { Db } from '../database.ts';
import type { SigningKeysTable } from '../schema.ts';
import type { SealedKey, SigningKeyStore } from '../../domain/keys.ts';

function toKey(row: SigningKeysTable): SealedKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    sealedPrivateJwk: row.private_jwk,
    state: row.state,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at === null ? null : Number(row.rotated_at),
  };
}

function toRow(key: SealedKey): SigningKeysTable {
  return {
    kid: key.kid,
    alg: key.alg,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: key.sealedPrivateJwk,
    state: key.state,
    created_at: key.createdAt,
    rotated_at: null,
  };
}

const ORDER = { current: 0, previous: 1, retired: 2 } as const;

export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Db) {}

  async listActive() {
    return (await this.listAll()).filter((k) => k.state !== 'retired');
  }

  async listAll() {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toKey).sort((a, b) => ORDER[a.state] - ORDER[b.state]);
  }

  async rotate(next: SealedKey, now: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('signing_keys').set({ state: 'retired', rotated_at: now }).where('state', '=', 'previous').execute();
      await tx.updateTable('signing_keys').set({ state: 'previous', rotated_at: now }).where('state', '=', 'current').execute();
      await tx.insertInto('signing_keys').values(toRow({ ...next, state: 'current' })).execute();
    });
  }

  async insertFirst(key: SealedKey) {
    await this.db.transaction().execute(async (tx) => {
      const existing = await tx.selectFrom('signing_keys').select('kid').where('state', '=', 'current').executeTakeFirst();
      if (!existing) await tx.insertInto('signing_keys').values(toRow(key)).execute();
    });
  }
}
