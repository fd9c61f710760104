/**
 * How the code is cut, checked on the source itself (issue 13; docs/architecture.md "Layers"):
 * no import circles (type-only imports count: they are what a reader follows), the protocol does
 * not import the pages, the pages import nothing of the protocol but its public vocabulary
 * (errors and endpoint paths), only persistence/ speaks SQL and only crypto/ touches keys.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/** Every .ts/.tsx file under src/, as a path relative to the repository. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a file imports or re-exports, relative ones resolved to repository paths. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith('.')) local.push(normalize(join(dirname(file), spec)));
    else packages.push(spec);
  }
  return { local, packages };
}

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.local.includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return found;
}

function offenders(from: RegExp, to: (target: string) => boolean): string[] {
  return files.filter((f) => from.test(f)).flatMap((f) => graph.get(f)!.local.filter(to).map((t) => `${f} -> ${t}`));
}

describe('how the code is cut (issue 13)', () => {
  it('finds the source and its imports (the checks below look at something)', () => {
    assert.ok(files.length > 200, `${files.length} files`);
    assert.ok(graph.get('src/app.ts')!.local.includes('src/deps.ts'));
    for (const [file, { local }] of graph) for (const target of local) assert.ok(graph.has(target), `${file} imports ${target}, which is not a source file`);
  });

  it('no import circles, type-only imports included', () => {
    assert.deepEqual(cycles(), []);
  });

  it('the protocol does not import the pages, the portal or the platform API', () => {
    assert.deepEqual(offenders(/^src\/oauth\//, (t) => /^src\/(interaction|portal|api)\//.test(t)), []);
  });

  it('the pages and the portal use only the protocol\'s public vocabulary (its errors, endpoint paths, and the page interface it declares)', () => {
    const allowed = new Set(['src/oauth/errors.ts', 'src/oauth/endpoints.ts', 'src/oauth/authorize/pages.ts']);
    assert.deepEqual(offenders(/^src\/(interaction|portal)\//, (t) => t.startsWith('src/oauth/') && !allowed.has(t)), []);
  });

  it('services, caches, jobs, domain, persistence and crypto import no HTTP area (errors and metrics are shared vocabulary)', () => {
    const shared = new Set(['src/oauth/errors.ts', 'src/ops/metrics.ts']);
    assert.deepEqual(offenders(/^src\/(services|caches|jobs|domain|persistence|crypto)\//, (t) => /^src\/(interaction|portal|api|oauth|http|cli|ops)\//.test(t) && !shared.has(t)), []);
  });

  it('deps.ts holds only types: what every module imports drags in no database, key or cache code', () => {
    const text = readFileSync(join(ROOT, 'src/deps.ts'), 'utf8');
    const runtime = [...text.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
    assert.deepEqual(runtime, []);
    assert.ok(/^import type /m.test(text));
  });

  it('only persistence/ speaks SQL; only crypto/ touches keys, hashes and random tokens', () => {
    const sql = files.filter((f) => !f.startsWith('src/persistence/') && graph.get(f)!.packages.some((p) => p === 'kysely' || p === 'pg' || p === 'better-sqlite3'));
    assert.deepEqual(sql, []);
    // @simplewebauthn/server verifies signatures (issue 16): crypto/webauthn.ts is its one door.
    const keys = files.filter((f) => !f.startsWith('src/crypto/') && graph.get(f)!.packages.some((p) => p === 'jose' || p === 'node:crypto' || p === '@node-rs/argon2' || p === '@simplewebauthn/server'));
    assert.deepEqual(keys, []);
  });
});
