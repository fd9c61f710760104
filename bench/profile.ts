/**
 * Summarises a V8 .cpuprofile (from `BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR"`):
 * self time by function and by package/file, so docs/performance.md cites profiles, not guesses.
 *
 *   npx tsx bench/profile.ts DIR/file.cpuprofile [top=25] [lastSeconds]
 * With lastSeconds, only the samples of the profile's final seconds count (run one scenario, so
 * that window is its measurement rather than start-up and module loading).
 * @module
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

process.stdout.on('error', () => process.exit(0));
const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile.ts FILE.cpuprofile [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const times: number[] = [];
profile.timeDeltas.reduce((t, d, i) => (times[i] = t + d), 0);
const from = lastArg ? (times.at(-1) ?? 0) - Number(lastArg) * 1e6 : -Infinity;
profile.samples.forEach((id, i) => {
  if (times[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url.replace(/^.*\//, '');
}

const fns = new Map<string, number>();
const places = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const fn = `${functionName || '(anonymous)'} ${where(url)}${url ? ':' + (lineNumber + 1) : ''}`;
  fns.set(fn, (fns.get(fn) ?? 0) + us);
  places.set(where(url), (places.get(where(url)) ?? 0) + us);
}
// Inclusive time of our own functions (src/): where a request's time goes, step by step.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url } = byId.get(at)!.callFrame;
    if (!url.includes('/src/')) continue;
    const key = `${functionName || '(anonymous)'} ${where(url)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const top = Number(topArg ?? 25);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show('self time by package / source file', places);
show('self time by function', fns);
show('inclusive time of src/ functions', inclusive);
