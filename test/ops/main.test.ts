/**
 * The process `npm start` runs (src/main.ts, compiled to dist/ by scripts/build.mjs first): boots on
 * the defaults, keeps its keys across restarts, stops cleanly on SIGTERM, refuses a bad
 * configuration, and logs no secret.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPostgresSchema, dialects, freePort } from '../support/app.ts';
import { postgresUrlFor } from '../cli/cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

// What `npm start` does: the prestart build (skipped when dist/ is current: test/ops/build.test.ts),
// then plain node on the compiled entry point.
before(() => {
  assert.equal(PACKAGE.scripts.prestart, 'node scripts/build.mjs --if-stale');
  assert.equal(PACKAGE.scripts.start, 'node dist/src/main.js');
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
});

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: Record<string, string>): Server {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(base: string, server: Server, withinMs = 60_000): Promise<void> {
  const started = Date.now();
  let exited = false;
  void server.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`the server exited during start:\n${server.output()}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > withinMs) throw new Error(`no /healthz within ${withinMs} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

async function currentKid(base: string): Promise<string> {
  const res = await fetch(`${base}/.well-known/jwks.json`);
  const { keys } = (await res.json()) as { keys: { kid: string }[] };
  return keys[0]!.kid;
}

for (const dialect of dialects()) {
  describe(`npm start: dist/src/main.js (${dialect})`, () => {
    let root: string;
    let dataDir: string;
    let schema: string | undefined;
    let env: Record<string, string>;
    let port: number;
    let base: string;
    const secrets = Array.from({ length: 8 }, () => `s3cret${randomBytes(12).toString('hex')}`);
    let firstKid: string;
    let firstLog: string;

    before(async () => {
      root = mkdtempSync(join(tmpdir(), 'tessera-main-'));
      dataDir = join(root, 'data');
      port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // Nothing inherited: DATABASE_URL unset means SQLite under DATA_DIR; KEY_ENCRYPTION_KEY unset means data/kek.
      env = { PATH: process.env.PATH ?? '', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'debug' };
      if (dialect === 'postgres') {
        schema = await createPostgresSchema();
        env.DATABASE_URL = postgresUrlFor(schema);
      }
    });
    after(async () => {
      rmSync(root, { recursive: true, force: true });
    });

    it('boots on the defaults, creates its data, and exits 0 on SIGTERM', async () => {
      const server = startServer(env);
      try {
        await waitForHealth(base, server);
        const metadata = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as { issuer: string };
        assert.equal(metadata.issuer, `http://localhost:${port}`);
        assert.equal((await fetch(`${base}/readyz`)).status, 200);
        assert.equal(existsSync(join(dataDir, 'kek')), true, 'a key-encryption key was generated');
        assert.equal(existsSync(join(dataDir, 'tessera.db')), dialect === 'sqlite', 'SQLite lives under DATA_DIR unless DATABASE_URL is set');
        firstKid = await currentKid(base);

        // Credentials in every place a request can carry them (SECURITY 45).
        const [s0, s1, s2, s3, s4, s5, s6, s7] = secrets as [string, string, string, string, string, string, string, string];
        await fetch(`${base}/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`client:${s0}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `sid=${s1}`,
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: s2, client_secret: s3, code_verifier: s4, password: s5 }).toString(),
        });
        await fetch(`${base}/authorize?client_id=x&code=${s6}&client_secret=${s7}`, { redirect: 'manual' });
      } finally {
        const code = await stop(server);
        assert.equal(code, 0, server.output());
      }
      firstLog = server.output();
    });

    it('logs the requests but none of the credentials they carried', () => {
      assert.match(firstLog, /Tessera is serving/);
      assert.match(firstLog, /"path":"\/token"/, 'requests are logged');
      assert.match(firstLog, /"path":"\/authorize"/);
      assert.match(firstLog, /draining and shutting down/);
      assert.match(firstLog, /generated a key-encryption key/);
      for (const secret of secrets) assert.ok(!firstLog.includes(secret), `a credential reached the log:\n${firstLog}`);
    });

    it('keeps its signing key and its key-encryption key across a restart', async () => {
      const kek = readFileSync(join(dataDir, 'kek'), 'utf8');
      const server = startServer(env);
      try {
        await waitForHealth(base, server);
        assert.equal(await currentKid(base), firstKid);
      } finally {
        assert.equal(await stop(server), 0, server.output());
      }
      assert.equal(readFileSync(join(dataDir, 'kek'), 'utf8'), kek);
      assert.doesNotMatch(server.output(), /generated a key-encryption key/);
    });

    it('refuses a bad configuration with a one-line "configuration error" and a non-zero exit', async () => {
      const server = startServer({ ...env, PORT: 'abc' });
      const code = await server.exited;
      assert.notEqual(code, 0);
      const lines = server.output().split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, server.output());
      assert.match(lines[0]!, /configuration error: PORT/);
    });
  });
}
