/**
 * Keeps the process's key ring in step with the database: generates the first key on an empty
 * database, rotates on demand, and reloads when another process (the CLI, another node) rotated.
 * @module
 */
import type { SigningKeyStore } from '../domain/keys.ts';
import { generateSigningKey, KeyRing } from './signing_keys.ts';

export class KeyManager {
  private ring!: KeyRing;
  private loadedFingerprint = '';

  constructor(
    private readonly store: SigningKeyStore,
    private readonly kek: Buffer,
    private readonly now: () => number,
  ) {}

  /** Loads the keys, creating the first one if there is none. */
  async init(): Promise<void> {
    if ((await this.store.listActive()).length === 0) {
      await this.store.insertFirst(await generateSigningKey(this.kek, this.now()));
    }
    await this.reload();
  }

  /** Re-reads the keys; cheap when nothing changed. */
  async reload(): Promise<void> {
    const keys = await this.store.listActive();
    const fingerprint = keys.map((k) => `${k.kid}:${k.state}`).join(',');
    if (fingerprint === this.loadedFingerprint) return;
    this.ring = await KeyRing.load(this.kek, keys);
    this.loadedFingerprint = fingerprint;
  }

  /** A new current key; the old current one keeps verifying until the next rotation retires it. */
  async rotate(): Promise<string> {
    const next = await generateSigningKey(this.kek, this.now());
    await this.store.rotate(next, this.now());
    await this.reload();
    return next.kid;
  }

  get keys(): KeyRing {
    return this.ring;
  }
}
