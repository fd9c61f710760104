import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL, dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';

interface KeyRow {
  kid: string;
  alg: string;
  state: 'current' | 'previous' | 'retired';
  created_at: string;
}

async function jwksKids(server: TestApp): Promise<string[]> {
  const res = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  return (res.json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

/** Waits until the server's signing key is `kid` (the server reloads on NOTIFY or on its poll). */
async function waitForCurrentKid(server: TestApp, kid: string, withinMs: number): Promise<number> {
  const started = Date.now();
  while (server.deps.keys.keys.currentKid !== kid) {
    if (Date.now() - started > withinMs) throw new Error(`server still signs with ${server.deps.keys.keys.currentKid}, not ${kid}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

/** A LISTEN on Tessera's change channel, as every running server holds one; yields the first keys event. */
async function listenForChanges(): Promise<{ next(): Promise<unknown>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query('LISTEN tessera_changes');
  const received = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no notification within 10 s')), 10_000);
    client.on('notification', (msg) => {
      // The channel is shared by every schema in the database: other suites' revocations pass by too.
      const event = JSON.parse(msg.payload ?? 'null') as { type?: string } | null;
      if (event?.type !== 'keys') return;
      clearTimeout(timer);
      resolve(event);
    });
  });
  return { next: () => received, close: () => client.end() };
}

for (const dialect of dialects()) {
  describe(`tessera keys (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let first: string;
    before(async () => {
      cli = await CliTarget.create(dialect);
      server = await cli.startApp(); // creates the first key, like a first boot
      first = server.deps.keys.keys.currentKid;
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('keys list shows the server key as current', async () => {
      const { keys } = await cli.json<{ keys: KeyRow[] }>(['keys', 'list']);
      assert.equal(keys.length, 1);
      assert.deepEqual(Object.keys(keys[0]!).sort(), ['alg', 'created_at', 'kid', 'state']);
      assert.equal(keys[0]!.kid, first);
      assert.equal(keys[0]!.alg, 'ES256');
      assert.equal(keys[0]!.state, 'current');
      assert.ok(Math.abs(Date.parse(keys[0]!.created_at) - Date.now()) < 120_000);
      const text = await cli.run(['keys', 'list']);
      assert.equal(text.code, 0);
      assert.match(text.stdout, new RegExp(`${first}\\s+ES256\\s+current`));
    });

    it('keys rotate makes a new current key; the old one stays published and verifying', async () => {
      const listener = dialect === 'postgres' ? await listenForChanges() : undefined;
      const out = await cli.json<{ current: string; previous: string; retired: string | null; notified: boolean }>(['keys', 'rotate']);
      assert.notEqual(out.current, first);
      assert.equal(out.previous, first);
      assert.equal(out.retired, null);
      assert.equal(out.notified, dialect === 'postgres');
      if (listener) {
        // Running servers hear the rotation at once instead of on their key poll (every ≥ 5 s).
        assert.deepEqual(await listener.next(), { type: 'keys' });
        await listener.close();
        await waitForCurrentKid(server, out.current, 6000);
      } else {
        await server.deps.keys.reload(); // what the server's poll does
        assert.equal(server.deps.keys.keys.currentKid, out.current);
      }
      assert.deepEqual(await jwksKids(server), [out.current, first]);
      assert.ok(server.deps.keys.keys.verificationKey(first), 'tokens signed before the rotation still verify');
      const { keys } = await cli.json<{ keys: KeyRow[] }>(['keys', 'list']);
      assert.deepEqual(keys.map((k) => [k.kid, k.state]), [[out.current, 'current'], [first, 'previous']]);
    });

    it('a second rotation retires the first key', async () => {
      const before = await cli.json<{ keys: KeyRow[] }>(['keys', 'list']);
      const second = before.keys.find((k) => k.state === 'current')!.kid;
      const out = await cli.json<{ current: string; previous: string; retired: string | null }>(['keys', 'rotate']);
      assert.equal(out.previous, second);
      assert.equal(out.retired, first);
      const { keys } = await cli.json<{ keys: KeyRow[] }>(['keys', 'list']);
      assert.deepEqual(keys.map((k) => [k.kid, k.state]), [[out.current, 'current'], [second, 'previous'], [first, 'retired']]);
      await server.deps.keys.reload();
      assert.deepEqual(await jwksKids(server), [out.current, second]);
      assert.equal(server.deps.keys.keys.verificationKey(first), undefined, 'a retired key no longer verifies');
    });

    it('keys rotate with another key-encryption key is refused and changes nothing', async () => {
      const before = await cli.json<{ keys: KeyRow[] }>(['keys', 'list']);
      const result = await cli.run(['keys', 'rotate'], { KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') });
      assertRefused(result, 1, /key-encryption key/);
      assert.deepEqual(await cli.json(['keys', 'list']), before);
    });

    it('keys rotate on an installation the server never started creates the first key', async () => {
      const fresh = await CliTarget.create(dialect);
      try {
        assert.deepEqual(await fresh.json(['keys', 'list']), { keys: [] });
        const out = await fresh.json<{ current: string; previous: string | null; retired: string | null }>(['keys', 'rotate']);
        assert.equal(out.previous, null);
        assert.equal(out.retired, null);
        const { keys } = await fresh.json<{ keys: KeyRow[] }>(['keys', 'list']);
        assert.deepEqual(keys.map((k) => [k.kid, k.state]), [[out.current, 'current']]);
      } finally {
        await fresh.close();
      }
    });

    it('the rotate text output names the new, previous and retired keys', async () => {
      const result = await cli.run(['keys', 'rotate']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^new current key [\w-]+\nprevious key [\w-]+ still verifies.*\nretired key [\w-]+/);
    });
  });
}
