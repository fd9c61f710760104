/**
 * The results: a table on stdout, ratios against the references of the same run, and
 * bench/results/<timestamp>.json (the chart is drawn from those files by chart.ts).
 * @module
 */
import { cpus, platform, release, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { SCENARIOS, type ScenarioId } from './scenarios/index.ts';
import type { Measurement } from './lib/load.ts';

export interface Row extends Measurement {
  target: string;
  scenario: ScenarioId;
}

export interface Ratio {
  what: string;
  value: number;
  target: number;
  /** The target is an upper bound (a latency ratio), not a lower one. */
  atMost?: boolean;
  /** A figure in milliseconds against a bound in milliseconds, not a ratio. */
  unit?: 'ms';
}

export interface RunFile {
  startedAt: string;
  machine: { cpu: string; cores: number; memoryGB: number; node: string; os: string };
  options: { warmupSeconds: number; seconds: number; connections: number; quick: boolean; scale?: number; revokeSamples?: number; coldStarts?: number };
  /** --scale: per scaled target, the rows bulk-seeded and the seconds it took. */
  scaleSeeding?: Record<string, { grants: number; refreshTokens: number; users: number; seconds: number }>;
  rows: Row[];
  ratios: Ratio[];
}

export function machine(): RunFile['machine'] {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function table(rows: Row[]): string {
  const width = Math.max(17, ...rows.map((r) => r.target.length));
  const head = `${pad('scenario', 36)} ${pad('server', width)} ${lpad('req/s', 8)} ${lpad('p50 ms', 7)} ${lpad('p99 ms', 7)} ${lpad('errors', 7)} ${lpad('RSS MB', 7)}`;
  const lines = rows.map(
    (r) =>
      `${pad(SCENARIOS[r.scenario], 36)} ${pad(r.target, width)} ${lpad(r.rps === null ? '–' : r.rps.toFixed(0), 8)} ${lpad(String(r.p50), 7)} ${lpad(String(r.p99), 7)} ${lpad(String(r.errors), 7)} ${lpad(r.rssMB.toFixed(0), 7)}` +
      (r.note ? `  (${r.note})` : ''),
  );
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

function rps(rows: Row[], target: string, scenario: ScenarioId): number | undefined {
  return rows.find((r) => r.target === target && r.scenario === scenario)?.rps ?? undefined;
}

function p99(rows: Row[], target: string, scenario: ScenarioId): number | undefined {
  // autocannon reports whole milliseconds; 1 ms is the floor, so a 0 does not divide by zero.
  const value = rows.find((r) => r.target === target && r.scenario === scenario)?.p99;
  return value === undefined ? undefined : Math.max(1, value);
}

/** The targets of issue 7, each as a ratio of two figures measured in this run. */
export function ratios(rows: Row[], scaled = false): Ratio[] {
  const out: Ratio[] = [];
  const add = (what: string, a: number | undefined, b: number | undefined, target: number) => {
    if (a !== undefined && b !== undefined && b > 0) out.push({ what, value: a / b, target });
  };
  for (const dialect of ['sqlite', 'postgres']) {
    const t = `tessera-${dialect}`;
    add(`${t} API read / fastify hello`, rps(rows, t, 'api_read'), rps(rows, 'fastify-hello', 'hello'), 0.6);
    // Issue 18: what a DPoP proof (a signature check and a replay insert) costs the API read.
    add(`${t} API read DPoP / bearer`, rps(rows, t, 'api_read_dpop'), rps(rows, t, 'api_read'), 0);
    const tokenTarget = dialect === 'sqlite' ? 1.5 : 1;
    add(`${t} refresh / oidc-provider`, rps(rows, t, 'refresh'), rps(rows, 'oidc-provider', 'refresh'), tokenTarget);
    add(`${t} code exchange / oidc-provider`, rps(rows, t, 'code_exchange'), rps(rows, 'oidc-provider', 'code_exchange'), tokenTarget);
    add(`${t} authorize / oidc-provider`, rps(rows, t, 'authorize'), rps(rows, 'oidc-provider', 'authorize'), 1.5);
    add(`${t} introspection / oidc-provider`, rps(rows, t, 'introspect'), rps(rows, 'oidc-provider', 'introspect'), 2);
    add(`${t} JWKS+metadata / oidc-provider`, rps(rows, t, 'jwks_metadata'), rps(rows, 'oidc-provider', 'jwks_metadata'), 0);
    const during = p99(rows, t, 'refresh_with_signins');
    const alone = p99(rows, t, 'refresh');
    if (during !== undefined && alone !== undefined) out.push({ what: `${t} token p99 with sign-ins / without`, value: during / alone, target: 3, atMost: true });
    // Issue 7: a revoke at one node is refused by another within 100 ms at p99.
    for (const r of rows.filter((row) => row.scenario === 'revoke_propagation' && row.target.startsWith(`${t}-`))) {
      out.push({ what: `${r.target} revoke → 401 on node B, p99`, value: r.p99, target: 100, atMost: true, unit: 'ms' });
    }
    // Issue 21: a suspension is refused by node B within 100 ms at p99, like a revoke.
    for (const r of rows.filter((row) => row.scenario === 'suspend_propagation' && row.target.startsWith(`${t}-`))) {
      out.push({ what: `${r.target} suspend → 401 on node B, p99`, value: r.p99, target: 100, atMost: true, unit: 'ms' });
    }
    // Issue 14: npm start → /readyz 200 under 2 s on SQLite with a current build; node alone has no target.
    for (const r of rows.filter((row) => (row.scenario === 'cold_start' || row.scenario === 'cold_restart') && row.target.startsWith(`${t}-`))) {
      out.push({ what: `${r.target} ${r.scenario === 'cold_start' ? 'cold start' : 'restart'}, median`, value: r.p50, target: r.target.endsWith('-node') ? 0 : 2000, atMost: !r.target.endsWith('-node'), unit: 'ms' });
    }
    if (!scaled) continue;
    // Issue 7: with the bulk rows stored, (1)–(5) keep ≥ 80% of the empty database's throughput.
    for (const id of ['api_read', 'refresh', 'code_exchange', 'authorize', 'introspect'] as const) {
      add(`${t} ${id} scaled / empty`, rps(rows, `${t}-scaled`, id), rps(rows, t, id), 0.8);
    }
    const restart = (target: string) => rows.find((r) => r.target === target && r.scenario === 'cold_restart')?.p50;
    add(`${t}-scaled restart / ${t}-cold restart`, restart(`${t}-scaled`), restart(`${t}-cold`), 0);
    const peak = Math.max(0, ...rows.filter((r) => r.target === `${t}-scaled`).map((r) => r.rssMB));
    if (peak > 0) out.push({ what: `${t}-scaled peak RSS MB / 200 MB`, value: peak / 200, target: 1, atMost: true });
  }
  return out;
}

export function ratioLines(list: Ratio[]): string {
  return list
    .map((r) => {
      const unit = r.unit === 'ms' ? ' ms' : '×';
      const verdict = r.atMost
        ? (r.value < r.target ? 'meets' : 'MISSES') + ` < ${r.target}${unit}`
        : r.target > 0
          ? (r.value >= r.target ? 'meets' : 'MISSES') + ` ≥ ${r.target}×`
          : '(no target)';
      const value = r.unit === 'ms' ? r.value.toFixed(1) + ' ms' : r.value.toFixed(2) + '×';
      return `${pad(r.what, 52)} ${lpad(value, 7)}  ${verdict}`;
    })
    .join('\n');
}

export function writeRun(dir: string, run: RunFile): string {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${run.startedAt.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  return file;
}
