/**
 * `npm start` reuses dist/ only when it is current (issue 14; scripts/build_manifest.mjs). Run on a
 * small project of the repository's shape in a temporary directory (the real build scripts, the
 * real compiler, tsconfig.build.json extending tsconfig.json): a current dist/ is reused, and any
 * edit, added or removed source, build configuration, lock file, build script or tampered output
 * rebuilds, and what then runs is the new code.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error: a plain .mjs script without declarations; its JSDoc is its contract
import { hashInputs } from '../../scripts/build_manifest.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('package.json: npm start builds only when stale, npm run build always', () => {
  it('runs the check before start and a plain build for build', () => {
    assert.equal(PACKAGE.scripts.prestart, 'node scripts/build.mjs --if-stale');
    assert.equal(PACKAGE.scripts.build, 'node scripts/build.mjs');
  });

  it("counts this repository's sources, configs, lock files and build scripts as inputs, and no output", () => {
    const inputs = Object.keys((hashInputs as (root: string) => Record<string, string>)(ROOT));
    for (const path of ['src/main.ts', 'src/interaction/assets/tessera.css', 'bench/servers/tessera.ts', 'bench/types.d.ts', 'tsconfig.build.json', 'tsconfig.json', 'package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/build_manifest.mjs']) {
      assert.ok(inputs.includes(path), `${path} is an input`);
    }
    assert.deepEqual(inputs.filter((p) => p.startsWith('dist/') || p.startsWith('.dist-') || (p.startsWith('node_modules/') && p !== 'node_modules/.package-lock.json')), []);
  });
});

describe('scripts/build.mjs --if-stale on a project of the same shape', () => {
  let dir: string;
  const file = (path: string) => join(dir, path);

  /** Runs the build; `rebuilt` says whether dist/ was replaced (a build renames a new directory in). */
  function build(...args: string[]): { status: number | null; output: string; rebuilt: boolean } {
    const before = inode();
    const run = spawnSync(process.execPath, [file('scripts/build.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr, rebuilt: inode() !== before };
  }
  function inode(): number | undefined {
    try {
      return statSync(file('dist')).ino;
    } catch {
      return undefined;
    }
  }
  /** What the compiled code says: the code `npm start` would run. */
  function runs(): string {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import('./dist/src/a.js'); process.stdout.write(String(m.value))`], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  }
  function assertReused(): void {
    const run = build('--if-stale');
    assert.equal(run.status, 0, run.output);
    assert.equal(run.rebuilt, false, run.output);
    assert.match(run.output, /dist\/ is current, not rebuilt/);
  }
  function assertRebuilt(reason: RegExp): void {
    const run = build('--if-stale');
    assert.equal(run.status, 0, run.output);
    assert.equal(run.rebuilt, true, run.output);
    assert.match(run.output, reason);
    assertReused();
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-build-'));
    mkdirSync(file('scripts'));
    mkdirSync(file('src'));
    for (const name of ['build.mjs', 'build_manifest.mjs']) cpSync(join(ROOT, 'scripts', name), file(`scripts/${name}`));
    // The real compiler (scripts/build.mjs runs node_modules/typescript/bin/tsc).
    symlinkSync(join(ROOT, 'node_modules'), file('node_modules'));
    writeFileSync(file('package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(file('package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: {} }));
    writeFileSync(
      file('tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true, verbatimModuleSyntax: true, types: [] } }),
    );
    writeFileSync(file('tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, rewriteRelativeImportExtensions: true, outDir: 'dist', rootDir: '.' }, include: ['src'] }));
    writeFileSync(file('src/a.ts'), "import { b } from './b.ts';\nexport const value: string = 'a1' + b;\n");
    writeFileSync(file('src/b.ts'), "export const b: string = 'b1';\n");
    writeFileSync(file('src/words.txt'), 'one\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds when there is no dist/, then reuses it while nothing changed', () => {
    const first = build('--if-stale');
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, /no build manifest/);
    assert.equal(runs(), 'a1b1');
    assertReused();
    assertReused();
  });

  it('always builds without --if-stale (npm run build)', () => {
    const run = build();
    assert.equal(run.status, 0, run.output);
    assert.equal(run.rebuilt, true);
    assertReused();
  });

  it('rebuilds after an edit that keeps the size and the modification time', () => {
    const { mtime } = statSync(file('src/b.ts'));
    writeFileSync(file('src/b.ts'), "export const b: string = 'b2';\n");
    utimesSync(file('src/b.ts'), mtime, mtime);
    assertRebuilt(/src\/b\.ts changed/);
    assert.equal(runs(), 'a1b2');
  });

  it('rebuilds when a source is added, and again when it is removed', () => {
    writeFileSync(file('src/c.ts'), "export const c: string = 'c';\n");
    assertRebuilt(/src\/c\.ts was added/);
    assert.equal(statSync(file('dist/src/c.js')).isFile(), true);
    unlinkSync(file('src/c.ts'));
    assertRebuilt(/src\/c\.ts was removed/);
    assert.throws(() => statSync(file('dist/src/c.js')), /ENOENT/, 'the removed source left no output');
  });

  it('rebuilds when a file src/ reads at run time changes, and copies it', () => {
    writeFileSync(file('src/words.txt'), 'two\n');
    assertRebuilt(/src\/words\.txt changed/);
    assert.equal(readFileSync(file('dist/src/words.txt'), 'utf8'), 'two\n');
  });

  it('rebuilds when the build configuration, the lock files or the build scripts change', () => {
    const config = JSON.parse(readFileSync(file('tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    config.compilerOptions.removeComments = true;
    writeFileSync(file('tsconfig.build.json'), JSON.stringify(config));
    assertRebuilt(/tsconfig\.build\.json changed/);
    const base = JSON.parse(readFileSync(file('tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    base.compilerOptions.target = 'ES2022';
    writeFileSync(file('tsconfig.json'), JSON.stringify(base));
    assertRebuilt(/tsconfig\.json changed/);
    writeFileSync(file('package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/x': { version: '1.0.0' } } }));
    assertRebuilt(/package-lock\.json changed/);
    writeFileSync(file('package.json'), JSON.stringify({ type: 'module', private: true }));
    assertRebuilt(/package\.json changed/);
    appendFileSync(file('scripts/build_manifest.mjs'), '\n// edited\n');
    assertRebuilt(/scripts\/build_manifest\.mjs changed/);
    appendFileSync(file('scripts/build.mjs'), '\n// edited\n');
    assertRebuilt(/scripts\/build\.mjs changed/);
  });

  it('rebuilds when a directory the config newly includes has files', () => {
    mkdirSync(file('more'));
    writeFileSync(file('more/d.ts'), "export const d: string = 'd';\n");
    assertReused();
    const config = JSON.parse(readFileSync(file('tsconfig.build.json'), 'utf8')) as { include: string[] };
    config.include.push('more');
    writeFileSync(file('tsconfig.build.json'), JSON.stringify(config));
    // The first difference in path order is named.
    assertRebuilt(/more\/d\.ts was added/);
    writeFileSync(file('more/d.ts'), "export const d: string = 'd2';\n");
    assertRebuilt(/more\/d\.ts changed/);
  });

  it('rebuilds when dist/ itself was edited or lost a file', () => {
    appendFileSync(file('dist/src/a.js'), '\nexport const tampered = 1;\n');
    assertRebuilt(/dist\/src\/a\.js was changed/);
    unlinkSync(file('dist/src/b.js'));
    assertRebuilt(/dist\/src\/b\.js was changed or removed/);
    writeFileSync(file('dist/src/extra.js'), 'export {};\n');
    assertRebuilt(/files were added to dist/);
  });

  it('rebuilds when another Node version built it', () => {
    const manifest = JSON.parse(readFileSync(file('dist/.build-manifest.json'), 'utf8')) as { node: string };
    manifest.node = 'v0.0.1';
    writeFileSync(file('dist/.build-manifest.json'), JSON.stringify(manifest));
    assertRebuilt(/built under Node v0\.0\.1/);
  });

  it('fails, and keeps failing, on a source that does not compile: the old dist/ is never reused', () => {
    writeFileSync(file('src/b.ts'), "export const b: string = 3;\n");
    for (let i = 0; i < 2; i++) {
      const run = build('--if-stale');
      assert.notEqual(run.status, 0, run.output);
      assert.match(run.output, /src\/b\.ts changed/);
      assert.match(run.output, /build failed/);
    }
    writeFileSync(file('src/b.ts'), "export const b: string = 'b3';\n");
    assertRebuilt(/src\/b\.ts changed/);
    assert.equal(runs(), 'a1b3');
  });
});
