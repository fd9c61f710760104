/**
 * Whether dist/ is current (issue 14: `npm start` recompiled everything on every start, 3.7 s on a
 * quiet machine, though nothing had changed).
 *
 * A build writes `dist/.build-manifest.json`: the SHA-256 of every file the build reads, taken
 * before the compiler runs, and the size and modification time of every file it wrote. dist/ is
 * current when the same files exist with the same contents, no file was added, removed or changed
 * on either side, and the same Node version runs the check. Contents, not modification times, for
 * the inputs: a checkout, a copy with `cp -p`, an archive or an editor can leave an edited file's
 * time (and size) as it was; hashing all inputs costs about 20 ms here. The outputs are only ever
 * written by the build, so their times can be trusted.
 *
 * What the build reads: every file under the `include` entries of tsconfig.build.json (or of the
 * config it extends), whatever the compiler pulled in from elsewhere (the sources of its outputs),
 * the tsconfig files of the chain, package.json (its `type` decides what the emitted `.js` is),
 * package-lock.json and node_modules/.package-lock.json (the compiler's version; the installed
 * packages' types decide whether the build passes at all), and the build scripts themselves.
 * A config that cannot be read this way (comments in a tsconfig) leaves no manifest, so every
 * `npm start` builds: never a stale dist/.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MANIFEST = '.build-manifest.json';
export const BUILD_CONFIG = 'tsconfig.build.json';
const FORMAT = 1;
/** The hash recorded for a file that did not exist (node_modules/.package-lock.json before an install). */
const ABSENT = '-';
const SCRIPTS = ['build.mjs', 'build_manifest.mjs'].map((name) => join(dirname(fileURLToPath(import.meta.url)), name));
const FIXED = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'];
/**
 * Never inputs, wherever an include points: packages (tsc skips node_modules too; the lock files
 * cover them), and at the top the build's output, its work directories and git's.
 */
const skippedInput = (/** @type {string} */ root, /** @type {string} */ dir) => {
  const name = dir.slice(dir.lastIndexOf(sep) + 1);
  return name === 'node_modules' || (dirname(dir) === root && (name === 'dist' || name === '.git' || name.startsWith('.dist-')));
};

/** @typedef {{ format: number, node: string, inputs: Record<string, string>, outputs: Record<string, [number, number]> }} Manifest */

/** Repository-relative path with forward slashes, as recorded in the manifest. */
const rel = (/** @type {string} */ root, /** @type {string} */ path) => relative(root, path).split(sep).join('/');

function hashOf(/** @type {string} */ path) {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return ABSENT;
    throw err;
  }
}

/** Every file under `dir` (or `dir` itself when it is a file), but none under a directory `skip` names. */
function filesUnder(/** @type {string} */ dir, skip = (/** @type {string} */ _dir) => false) {
  /** @type {string[]} */
  const found = [];
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return found;
  }
  if (stat.isFile()) return [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !skip(path)) found.push(...filesUnder(path, skip));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/**
 * The tsconfig files of the chain from tsconfig.build.json up its relative `extends`, and the
 * directories or files its `include` and `files` name (a glob counts from its last plain segment).
 * An `extends` naming a package is covered by the lock files.
 */
function configInputs(/** @type {string} */ root) {
  const configs = [];
  /** @type {string[] | undefined} */
  let roots;
  for (let file = join(root, BUILD_CONFIG); file; ) {
    configs.push(file);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const here = dirname(file);
    if (!roots && (config.include || config.files)) {
      roots = [...(config.include ?? []), ...(config.files ?? [])].map((/** @type {string} */ entry) => {
        const plain = entry.split('/');
        const glob = plain.findIndex((part) => /[*?[{]/.test(part));
        return resolve(here, glob === -1 ? entry : plain.slice(0, glob).join('/') || '.');
      });
    }
    const parent = typeof config.extends === 'string' && config.extends.startsWith('.') ? config.extends : undefined;
    file = parent ? resolve(here, parent.endsWith('.json') ? parent : `${parent}.json`) : '';
  }
  // tsc's own default with no include: everything under the config's directory.
  return { configs, roots: roots ?? [root] };
}

/** Path → SHA-256 of everything the build reads now, plus `also` (paths a previous build recorded). */
export function hashInputs(/** @type {string} */ root, /** @type {Iterable<string>} */ also = []) {
  const { configs, roots } = configInputs(root);
  const paths = new Set([...also].map((path) => join(root, path)));
  for (const path of [...configs, ...SCRIPTS, ...FIXED.map((name) => join(root, name))]) paths.add(path);
  for (const dir of roots) for (const path of filesUnder(dir, (sub) => skippedInput(root, sub))) paths.add(path);
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const path of [...paths].sort()) hashes[rel(root, path)] = hashOf(path);
  return hashes;
}

/** Every file the build wrote, path → [size, mtimeMs], the manifest aside. */
function outputsOf(/** @type {string} */ dir) {
  /** @type {Record<string, [number, number]>} */
  const outputs = {};
  for (const path of filesUnder(dir)) {
    const name = rel(dir, path);
    if (name === MANIFEST) continue;
    const stat = statSync(path);
    outputs[name] = [stat.size, stat.mtimeMs];
  }
  return outputs;
}

/**
 * Writes the manifest into a finished build directory. `inputs` were hashed before the compiler
 * ran, so a file edited while it ran no longer matches and the next start builds again. The
 * sources of outputs outside the include entries (a file the compiler followed an import to) are
 * added now: they exist only once the compiler has found them.
 */
export function writeManifest(/** @type {string} */ root, /** @type {string} */ dir, /** @type {Record<string, string>} */ inputs) {
  const outputs = outputsOf(dir);
  /** @type {Record<string, string>} */
  const extra = {};
  for (const name of Object.keys(outputs)) {
    for (const source of sourcesOf(name)) {
      if (inputs[source] !== undefined) continue;
      const hash = hashOf(join(root, source));
      if (hash !== ABSENT) extra[source] = hash;
    }
  }
  /** @type {Manifest} */
  const manifest = { format: FORMAT, node: process.version, inputs: { ...inputs, ...extra }, outputs };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
}

/** The source files an emitted file can come from (rootDir is the repository, so paths match). */
function sourcesOf(/** @type {string} */ output) {
  const m = /^(.*)\.(m?|c?)js$/.exec(output);
  if (!m) return [];
  const [, stem, kind] = m;
  return kind ? [`${stem}.${kind}ts`] : [`${stem}.ts`, `${stem}.tsx`];
}

/**
 * Why dist/ cannot be reused, or undefined when it is current: a one-line reason for the log.
 * Any error reading it (a build replacing dist/ at this moment, say) counts as stale.
 */
export function staleness(/** @type {string} */ root, /** @type {string} */ dist) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dist, MANIFEST), 'utf8'));
  } catch {
    return 'no build manifest in dist/';
  }
  if (manifest.format !== FORMAT) return 'dist/ has a manifest of another format';
  if (manifest.node !== process.version) return `dist/ was built under Node ${manifest.node}, this is ${process.version}`;
  try {
    const now = hashInputs(root, Object.keys(manifest.inputs));
    for (const [path, hash] of Object.entries(now)) {
      const then = manifest.inputs[path];
      if (then === hash) continue;
      return `${path} ${then === undefined ? 'was added' : hash === ABSENT ? 'was removed' : then === ABSENT ? 'appeared' : 'changed'}`;
    }
    const outputs = outputsOf(dist);
    const names = Object.keys(manifest.outputs);
    for (const name of names) {
      const [size, mtime] = manifest.outputs[name];
      if (outputs[name]?.[0] !== size || outputs[name]?.[1] !== mtime) return `dist/${name} was changed or removed`;
    }
    if (names.length !== Object.keys(outputs).length) return 'files were added to dist/';
  } catch (err) {
    return `the check failed (${err instanceof Error ? err.message : String(err)})`;
  }
  return undefined;
}
