/**
 * Rotating the token signing keys: the one call behind `tessera keys rotate` and the console's
 * "Rotate now" (/admin/keys), each with its audit event (`signing_key.rotated`) naming who acted.
 * OIDC Core §10.1.1: the new key signs from now on; the old current key stays published (and
 * verifies) for the tokens in flight until the next rotation retires it.
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import type { KeyManager } from '../crypto/key_manager.ts';
import type { SealedKey } from '../domain/keys.ts';
import { actorDetail, type Actor } from '../domain/audit.ts';

export interface RotationDeps {
  /** The key manager of this process, already loaded (it reloads itself after rotating). */
  keys: Pick<KeyManager, 'rotate' | 'keys'>;
  stores: Pick<Stores, 'keys' | 'audit'>;
  /**
   * Tells the other nodes, after the write committed: the server publishes on its change feed, the
   * CLI sends its NOTIFY (persistence/notify.ts). True when a notice went out.
   */
  announce: () => Promise<boolean>;
}

export interface Rotation {
  /** The new current key. */
  current: string;
  /** The key that was current: still published until the next rotation. */
  previous: string;
  /** The key this rotation retired (the previous one before it), or null. */
  retired: string | null;
  notified: boolean;
}

/** Makes a new current key and records who did it. */
export async function rotateSigningKeys(deps: RotationDeps, actor: Actor, now: number): Promise<Rotation> {
  const before = deps.keys.keys.currentKid;
  const retired = (await deps.stores.keys.listActive()).find((k) => k.state === 'previous')?.kid ?? null;
  const current = await deps.keys.rotate();
  await deps.stores.audit.record(
    { type: 'signing_key.rotated', userId: actor.userId ?? null, detail: { ...actorDetail(actor), current, previous: before, retired } },
    now,
  );
  const notified = await deps.announce();
  return { current, previous: before, retired, notified };
}

/** A signing key as an operator sees it: never its key material, public or private. */
export interface SigningKeyRow {
  kid: string;
  alg: string;
  state: SealedKey['state'];
  /** Keys become current as they are created (no key is published ahead of use here), so this is also when it started signing. */
  createdAt: number;
  /** When it stopped signing (previous) or stopped being published (retired); null while current. */
  rotatedAt: number | null;
}

/** Every signing key, current first, then previous, then retired (newest first within each). */
export async function listSigningKeys(deps: { stores: Pick<Stores, 'keys'> }): Promise<SigningKeyRow[]> {
  return (await deps.stores.keys.listAll()).map((k) => ({ kid: k.kid, alg: k.alg, state: k.state, createdAt: k.createdAt, rotatedAt: k.rotatedAt ?? null }));
}
