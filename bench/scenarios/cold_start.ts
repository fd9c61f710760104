/**
 * Issue 14: cold start, from the spawn of `npm start` to the first 200 from /readyz, on SQLite with
 * a current build. Not a load: `starts` processes one after another, each started, polled every
 * 10 ms until /readyz answers 200 (the database answers), and stopped with Ctrl-C (SIGINT, to its
 * process group: npm, its shell and the server) before the next one spawns.
 *
 * `npm start` is timed as a newcomer types it: npm's own start-up, the prestart check that dist/ is
 * current (scripts/build.mjs --if-stale), then the server. `node dist/src/main.js` alone is the
 * same without npm and the check, so the difference in one run is what those two cost.
 *
 * dist/ is brought up to date once before the first start; a start whose prestart still rebuilt it
 * (a source edited during the run) is left out of the figures and counted in the note, since the
 * figure is the start of a current build.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOnce } from '../lib/child.ts';
import type { Measurement } from '../lib/load.ts';
import { freePort } from '../lib/ports.ts';
import { percentile } from '../lib/propagation.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GIVE_UP_MS = 60_000;

export interface ColdStartSpec {
  command: 'npm start' | 'node dist/src/main.js';
  /** The data directory of each start: a new empty one, or the same one every time. */
  dataDir: () => string;
  /** Added to the environment (DATABASE_URL, KEY_ENCRYPTION_KEY of a seeded database). */
  env?: Record<string, string>;
  starts: number;
}

interface Start {
  ms: number;
  rssMB: number;
  rebuilt: boolean;
}

export async function coldStarts(spec: ColdStartSpec): Promise<Measurement> {
  buildOnce();
  const times: number[] = [];
  let rss = 0;
  let rebuilt = 0;
  for (let i = 0; i < spec.starts; i++) {
    const start = await oneStart(spec);
    if (start.rebuilt) {
      rebuilt++;
      continue;
    }
    times.push(start.ms);
    rss = Math.max(rss, start.rssMB);
  }
  // Whole milliseconds: the poll every 10 ms is the resolution.
  const sorted = times.map((t) => Math.round(t)).sort((a, b) => a - b);
  const [median, min, max] = [percentile(sorted, 50), sorted[0] ?? 0, sorted.at(-1) ?? 0];
  return {
    rps: null,
    p50: median,
    // Five samples have no 99th percentile: the column shows the slowest start.
    p99: max,
    min,
    max,
    samples: times.map((t) => Math.round(t)),
    total: spec.starts,
    errors: 0,
    rssMB: rss,
    note: `${sorted.length} starts: median ${median} ms, range ${min}–${max} ms` + (rebuilt ? `; ${rebuilt} left out: dist/ was rebuilt` : ''),
  };
}

async function oneStart(spec: ColdStartSpec): Promise<Start> {
  const port = await freePort();
  // Nothing else inherited, as on a newcomer's machine: DATABASE_URL unset is SQLite under DATA_DIR,
  // KEY_ENCRYPTION_KEY unset a key generated next to it.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), DATA_DIR: spec.dataDir(), ...spec.env };
  const [command, ...args] = spec.command.split(' ') as [string, ...string[]];
  const started = performance.now();
  // Its own process group, so one signal reaches npm, its shell and the server.
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ms: number | undefined;
  try {
    while (ms === undefined) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${spec.command} exited before /readyz answered 200:\n${output}`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`${spec.command}: no 200 from /readyz within ${GIVE_UP_MS} ms:\n${output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) ms = performance.now() - started;
      } catch {
        // not listening yet
      }
      if (ms === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { ms, rssMB: serverRssMB(child.pid!), rebuilt: output.includes('tessera: building dist/') };
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    const force = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    // npm may exit before the server has closed the database: wait for the whole group.
    while (groupAlive(child.pid!)) await new Promise((resolve) => setTimeout(resolve, 20));
    clearTimeout(force);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The resident set of the server: the deepest process under `pid` (npm → sh → node, or node itself). */
function serverRssMB(pid: number): number {
  let leaf = pid;
  try {
    for (;;) {
      const children = readFileSync(`/proc/${leaf}/task/${leaf}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children.length === 0) break;
      leaf = Number(children[0]);
    }
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${leaf}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    // Not Linux: no RSS column.
    return 0;
  }
}
