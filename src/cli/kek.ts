/**
 * `tessera keys rotate-kek`: re-seals every value kept under the key-encryption key (signing
 * keys, TOTP secrets, company directories' client secrets) under a new one, in one transaction.
 * The old key stays valid until that transaction commits; a crash before leaves everything as it
 * was, and running the command again after a crash finishes the job (values already under the
 * new key are kept as they are).
 * @module
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { currentKek, kekId, newKek, parseKek, resealer, UnopenableValueError } from '../crypto/rekey.ts';
import type { SealedKind } from '../domain/sealed_values.ts';
import type { Env } from '../config/config.ts';
import { SqlSealedValueStore } from '../persistence/stores/sealed_values.ts';

interface RotateKekInput {
  newKeyFile: string | undefined;
}

const COUNTED: Record<SealedKind, 'signing_keys' | 'totp_secrets' | 'directory_secrets'> = {
  signing_key: 'signing_keys',
  totp_secret: 'totp_secrets',
  directory_secret: 'directory_secrets',
};

/** The new key: --new-key-file, else NEW_KEY_ENCRYPTION_KEY, else (embedded DATA_DIR/kek only) a half-done rotation's kek.next or a fresh key. */
function newKeyFor(input: RotateKekInput, nextFile: string | undefined, env: Env): { key: Buffer; generated: boolean } {
  if (input.newKeyFile !== undefined) {
    if (!existsSync(input.newKeyFile)) throw new UsageError(`--new-key-file ${input.newKeyFile} does not exist`);
    return { key: parseUsage(readFileSync(input.newKeyFile, 'utf8'), input.newKeyFile), generated: false };
  }
  const fromEnv = env.NEW_KEY_ENCRYPTION_KEY;
  if (fromEnv) return { key: parseUsage(fromEnv, 'NEW_KEY_ENCRYPTION_KEY'), generated: false };
  if (nextFile === undefined) {
    throw new UsageError('KEY_ENCRYPTION_KEY is set: give the new key with --new-key-file FILE or NEW_KEY_ENCRYPTION_KEY (make one with: openssl rand -base64 32)');
  }
  if (existsSync(nextFile)) return { key: parseUsage(readFileSync(nextFile, 'utf8'), nextFile), generated: false };
  return { key: newKek(), generated: true };
}

function parseUsage(text: string, where: string): Buffer {
  try {
    return parseKek(text, where);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function nextSteps(embedded: boolean, kekFile: string | undefined, newId: string): string[] {
  if (embedded) {
    return [
      `${kekFile} now holds the new key (${newId}); the old one is gone. Restart the server so it uses it.`,
      'Back the new key up apart from the database: a backup of the database alone cannot be opened.',
    ];
  }
  return [
    `Set KEY_ENCRYPTION_KEY to the new key (${newId}) on every node and for the CLI, and restart the nodes one by one.`,
    'Until a node restarts it keeps its keys in memory: it still signs and verifies, but it cannot open a TOTP secret or a newly rotated signing key, and forms it rendered fail on the other nodes (see docs/operators.md).',
    'When every node runs the new key, run this same command once more (old key in KEY_ENCRYPTION_KEY, new key given again): it re-seals whatever a node on the old key wrote meanwhile, and reports 0 when there was nothing.',
    'Then forget the old key.',
  ];
}

export const rotateKek = command<RotateKekInput>({
  summary: 're-seal every sealed value (signing keys, TOTP and directory secrets) under a new key-encryption key, in one transaction',
  flags: {
    'new-key-file': { type: 'string', value: 'FILE', description: 'file holding the new key, base64 of 32 bytes (or set NEW_KEY_ENCRYPTION_KEY); with the embedded DATA_DIR/kek it may be left out: a new key is generated into that file' },
  },
  example: 'tessera keys rotate-kek --new-key-file /run/secrets/new-kek',
  check(flags) {
    const file = flags.string('new-key-file');
    if (file === '') throw new UsageError('--new-key-file needs a path');
    return { newKeyFile: file };
  },
  async run(context, input) {
    const current = currentKek(context.config);
    if (!current) throw new CliError(`no key-encryption key to rotate: KEY_ENCRYPTION_KEY is unset and ${join(context.config.dataDir, 'kek')} does not exist`);
    // The embedded default: the key lives in DATA_DIR/kek, and this command replaces that file.
    const embedded = current.file !== undefined;
    const nextFile = embedded ? `${current.file}.next` : undefined;
    const { key, generated } = newKeyFor(input, nextFile, context.env);
    const oldId = kekId(current.key);
    const newId = kekId(key);
    if (oldId === newId) throw new UsageError(`the new key is the key in use (${oldId})`);

    // Written before the transaction: if the process dies after the commit, the new key is on disk, and a rerun finishes.
    let wroteNext = false;
    if (nextFile !== undefined) {
      if (!existsSync(nextFile)) {
        writeFileSync(nextFile, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
        wroteNext = true;
      } else if (kekId(parseUsage(readFileSync(nextFile, 'utf8'), nextFile)) !== newId) {
        throw new CliError(`${nextFile} holds the key of an unfinished rotation: run "tessera keys rotate-kek" without a new key to finish it`);
      }
    }
    const store = new SqlSealedValueStore(context.database.db, context.config.database.dialect);
    const resealed = { signing_keys: 0, totp_secrets: 0, directory_secrets: 0 };
    let unchanged = 0;
    const reseal = resealer(current.key, key);
    try {
      await store.resealAll((value) => {
        const next = reseal(value);
        if (next === undefined) unchanged++;
        else resealed[COUNTED[value.kind]]++;
        return next;
      });
    } catch (err) {
      if (nextFile !== undefined && wroteNext) rmSync(nextFile, { force: true });
      if (err instanceof UnopenableValueError) {
        throw new CliError(`${err.message}: the key in use is ${oldId}, the new one ${newId}`);
      }
      throw err;
    }
    if (nextFile !== undefined) renameSync(nextFile, current.file!);
    await context.stores.audit.record({ type: 'kek.rotated', detail: { via: 'cli', from: oldId, to: newId, resealed } }, context.now());

    const steps = nextSteps(embedded, current.file, newId);
    const total = resealed.signing_keys + resealed.totp_secrets + resealed.directory_secrets;
    return {
      json: { old_kek_id: oldId, new_kek_id: newId, resealed, unchanged, kek_file: current.file ?? null, generated, next_steps: steps },
      text: [
        `re-sealed ${total} value(s) under key-encryption key ${newId} (was ${oldId}): ` +
          `${resealed.signing_keys} signing key(s), ${resealed.totp_secrets} TOTP secret(s), ${resealed.directory_secrets} directory secret(s)` +
          (unchanged > 0 ? `; ${unchanged} already under the new key` : ''),
        ...steps,
      ].join('\n'),
    };
  },
});
