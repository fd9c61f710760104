/**
 * The test run's own guard: an unknown dialect name, or REQUIRE_POSTGRES=1 without postgres, fails
 * the run with a clear message instead of running fewer dialects and going green. Runs the same
 * check test/run.sh runs (and `test/run.sh --check`, which stops before the suite), never the suite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DialectsError, parseDialects } from '../support/dialects.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.TEST_DIALECTS;
  delete childEnv.REQUIRE_POSTGRES;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const r = spawnSync(args[0]!, args.slice(1), { cwd: root, env: childEnv, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const check = (env: Record<string, string | undefined>) => run([process.execPath, '--import', 'tsx', 'test/support/dialects.ts'], env);

describe('TEST_DIALECTS and REQUIRE_POSTGRES', () => {
  it('accepts the known names, trimmed and without repeats, SQLite by default', () => {
    assert.deepEqual(parseDialects({}), ['sqlite']);
    assert.deepEqual(parseDialects({ TEST_DIALECTS: 'sqlite,postgres' }), ['sqlite', 'postgres']);
    assert.deepEqual(parseDialects({ TEST_DIALECTS: ' postgres , postgres' }), ['postgres']);
    assert.deepEqual(parseDialects({ TEST_DIALECTS: 'postgres', REQUIRE_POSTGRES: '1' }), ['postgres']);
  });

  it('refuses an unknown or empty name and REQUIRE_POSTGRES=1 without postgres', () => {
    for (const TEST_DIALECTS of ['sqlite,pg', 'postgresql', 'sqlite,', '', 'SQLite']) {
      assert.throws(() => parseDialects({ TEST_DIALECTS }), (e: unknown) => e instanceof DialectsError && /unknown dialect/.test(e.message), TEST_DIALECTS);
    }
    assert.throws(() => parseDialects({ REQUIRE_POSTGRES: '1' }), /REQUIRE_POSTGRES=1 but TEST_DIALECTS="sqlite" lacks postgres/);
    assert.throws(() => parseDialects({ TEST_DIALECTS: 'sqlite', REQUIRE_POSTGRES: '1' }), /lacks postgres/);
  });

  it('the check test/run.sh runs exits 2 with the reason on stderr, or prints the list', () => {
    const bad = check({ TEST_DIALECTS: 'sqlite,pg' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /TEST_DIALECTS="sqlite,pg": unknown dialect "pg"; known: sqlite, postgres/);
    assert.equal(bad.stdout, '');
    const noPg = check({ TEST_DIALECTS: 'sqlite', REQUIRE_POSTGRES: '1' });
    assert.equal(noPg.status, 2);
    assert.match(noPg.stderr, /REQUIRE_POSTGRES=1 but TEST_DIALECTS="sqlite" lacks postgres/);
    const good = check({ TEST_DIALECTS: 'postgres,sqlite', REQUIRE_POSTGRES: '1' });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout.trim(), 'postgres,sqlite');
  });

  it("dialects() in a test file throws on a bad value, so that file fails", () => {
    const code = "import('./test/support/app.ts').then((m) => console.log(m.dialects().join(',')))";
    const r = run([process.execPath, '--import', 'tsx', '-e', code], { TEST_DIALECTS: 'sqlite,mysql' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown dialect "mysql"/);
  });

  it('test/run.sh --check fails before the suite on a bad value', () => {
    const bad = run(['bash', 'test/run.sh', '--check'], { TEST_DIALECTS: 'sqlite,postgress' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown dialect "postgress"/);
    assert.doesNotMatch(bad.stdout, /test files:/);
    // With PostgreSQL down, run.sh already stops on REQUIRE_POSTGRES=1 (exit 1, "does not answer").
    const noPg = run(['bash', 'test/run.sh', '--check'], { TEST_DIALECTS: 'sqlite', REQUIRE_POSTGRES: '1' });
    assert.notEqual(noPg.status, 0);
    assert.match(noPg.stderr, /lacks postgres|does not answer/);
    const good = run(['bash', 'test/run.sh', '--check'], { TEST_DIALECTS: 'sqlite' });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /^dialects: sqlite$/m);
  });
});
