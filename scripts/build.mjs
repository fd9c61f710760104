#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ and the benchmark's server entry points to plain JavaScript in
 * dist/ and copies the files src/ reads at run time beside them. Always builds.
 *
 * `--if-stale` (what `npm start` runs first, as `prestart`): reuses dist/ when nothing it was
 * built from has changed (scripts/build_manifest.mjs says what that covers), and builds otherwise.
 * A failed build exits non-zero, so npm does not start; the previous dist/ stays, with a manifest
 * that no longer matches, and the next start tries again: old code never runs.
 *
 * Why compile at all: under tsx, Node 20 runs the TypeScript loader's hooks on a thread of their own
 * with a second V8 heap, and keeps every transformed module's source: a started server held 193 MB
 * resident under tsx and 133 MB as compiled JavaScript (docs/performance.md, "Third round").
 * Plain JavaScript so that it runs without a loader; tsc rewrites the `.ts` import specifiers.
 *
 * The build goes to a directory of its own and replaces dist/ by renames, so two `npm start`s in one
 * checkout (two local nodes) never run or delete half a build; when both finish at once one of the
 * two builds of the same sources wins.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_CONFIG, hashInputs, staleness, writeManifest } from './build_manifest.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const building = join(root, `.dist-new-${process.pid}`);

if (process.argv.includes('--if-stale')) {
  const reason = staleness(root, dist);
  if (reason === undefined) {
    process.stdout.write('tessera: dist/ is current, not rebuilt (`npm run build` forces a build)\n');
    process.exit(0);
  }
  process.stdout.write(`tessera: building dist/: ${reason}\n`);
}

// Hashed before the compiler reads them: a file edited during the build fails the next check.
/** @type {Record<string, string> | undefined} */
let inputs;
try {
  inputs = hashInputs(root);
} catch (err) {
  process.stderr.write(`tessera: dist/ gets no build manifest, so every start rebuilds it: ${err instanceof Error ? err.message : String(err)}\n`);
}

rmSync(building, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, BUILD_CONFIG), '--outDir', building], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  rmSync(building, { recursive: true, force: true });
  process.stderr.write('tessera: build failed (tsc, above)\n');
  process.exit(1);
}

// Stylesheets, word lists: whatever src/ holds that is not TypeScript is read at run time.
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.tsx?$/.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(building, relative(root, from)));
}
if (inputs) writeManifest(root, building, inputs);

// The previous build moves aside (a rename, so nobody deletes files another build just put there),
// the new one moves in, and the previous one goes.
const previous = join(root, `.dist-old-${process.pid}`);
const code = (/** @type {unknown} */ err) => /** @type {NodeJS.ErrnoException} */ (err).code ?? '';
try {
  renameSync(dist, previous);
} catch (err) {
  if (code(err) !== 'ENOENT') throw err;
}
try {
  renameSync(building, dist);
} catch (err) {
  // Another build moved its dist/ in first: it holds the same compiled sources.
  if (!['ENOTEMPTY', 'EEXIST'].includes(code(err))) throw err;
  rmSync(building, { recursive: true, force: true });
}
rmSync(previous, { recursive: true, force: true });
