/** `tessera keys …`: the signing keys behind every access and ID token. */
import { command, type CommandGroup } from './command.ts';
import { CliError } from './errors.ts';
import type { CliContext } from './context.ts';
import { KeyManager } from '../crypto/key_manager.ts';
import { loadKeyEncryptionKey } from '../crypto/key_encryption.ts';
import { notifyKeysChanged } from '../persistence/notify.ts';
import { rotateKek } from './kek.ts';
import { listSigningKeys, rotateSigningKeys } from '../services/signing_keys.ts';

/** The key manager over the stored keys, after proving this KEK opens them. */
async function keyManager(context: CliContext): Promise<KeyManager> {
  const kek = loadKeyEncryptionKey(context.config, (path) =>
    context.warn(`generated a key-encryption key at ${path}; back it up with the database, or set KEY_ENCRYPTION_KEY`),
  );
  const manager = new KeyManager(context.stores.keys, kek, context.now);
  try {
    await manager.init();
  } catch (err) {
    // A key sealed under one KEK cannot be opened with another (AES-GCM authentication fails).
    throw new CliError(
      `cannot open the stored signing keys with this key-encryption key; use the server's KEY_ENCRYPTION_KEY (or its DATA_DIR/kek): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return manager;
}

const rotate = command<null>({
  summary: 'make a new current signing key; the old one keeps verifying until the next rotation',
  flags: {},
  example: 'tessera keys rotate',
  check: () => null,
  async run(context) {
    const hadKeys = (await context.stores.keys.listActive()).length > 0;
    const manager = await keyManager(context);
    if (!hadKeys) {
      // An installation the server never started: the key just created is the first one.
      const first = manager.keys.currentKid;
      const notified = await notifyKeysChanged(context.database);
      return { json: { current: first, previous: null, retired: null, notified }, text: `created the first signing key ${first}` };
    }
    // Running servers reload at once on PostgreSQL; otherwise within their key poll (≤ a few seconds).
    const { current: kid, previous: before, retired, notified } = await rotateSigningKeys(
      { keys: manager, stores: context.stores, announce: () => notifyKeysChanged(context.database) },
      { via: 'cli' },
      context.now(),
    );
    return {
      json: { current: kid, previous: before, retired, notified },
      text: [
        `new current key ${kid}`,
        `previous key ${before} still verifies and stays in the JWKS until the next rotation`,
        ...(retired ? [`retired key ${retired}: no longer published or accepted`] : []),
      ].join('\n'),
    };
  },
});

const list = command<null>({
  summary: 'show every signing key: kid, algorithm, state and creation time',
  flags: {},
  example: 'tessera keys list',
  check: () => null,
  async run(context) {
    const keys = (await listSigningKeys(context)).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      state: k.state,
      created_at: new Date(k.createdAt * 1000).toISOString(),
    }));
    const width = Math.max(3, ...keys.map((k) => k.kid.length));
    const text =
      keys.length === 0
        ? 'no signing keys yet: the server creates the first one when it starts'
        : [`${'KID'.padEnd(width)}  ALG    STATE     CREATED`, ...keys.map((k) => `${k.kid.padEnd(width)}  ${k.alg.padEnd(5)}  ${k.state.padEnd(8)}  ${k.created_at}`)].join('\n');
    return { json: { keys }, text };
  },
});

export const keysGroup: CommandGroup = {
  name: 'keys',
  summary: 'token signing keys',
  commands: { rotate, list, 'rotate-kek': rotateKek },
};
