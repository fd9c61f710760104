#!/usr/bin/env node
/**
 * `npm run build` (and before every `npm start`): compiles src/ and the benchmark's server entry
 * points to plain JavaScript in dist/ and copies the files src/ reads at run time beside them.
 *
 * Why compile at all: under tsx, Node 20 runs the TypeScript loader's hooks on a thread of their own
 * with a second V8 heap, and keeps every transformed module's source: a started server held 193 MB
 * resident under tsx and 133 MB as compiled JavaScript (docs/performance.md, "Third round").
 * Plain JavaScript so that it runs without a loader; tsc rewrites the `.ts` import specifiers.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write('tessera: build failed (tsc, above)\n');
  process.exit(1);
}

// Stylesheets, word lists: whatever src/ holds that is not TypeScript is read at run time.
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.tsx?$/.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(dist, relative(root, from)));
}
