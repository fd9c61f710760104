/**
 * bench/results/chart.svg: requests per second (log scale) of each scenario on each server, bars for the
 * latest run and dots for up to four runs of the same kind before it (quick with quick, full with full:
 * a 1 s smoke run and a 7 s run are not comparable). Hand-written SVG, no chart library.
 * @module
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SCENARIOS, type ScenarioId } from './scenarios/index.ts';
import type { RunFile } from './report.ts';

const COLORS: Record<string, string> = {
  'tessera-sqlite': '#2b6cb0',
  'tessera-postgres': '#38a169',
  'oidc-provider': '#dd6b20',
  'fastify-hello': '#718096',
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Throughput rows only: a latency-only figure (rps null, the revoke propagation) has no bar. */
const throughput = (run: RunFile) => run.rows.flatMap((r) => (r.rps === null ? [] : [{ ...r, rps: r.rps }]));

export function writeChart(dir: string): string {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as RunFile)
    // A run of latency-only figures (--only=tessera-postgres-2nodes) leaves the chart as it was.
    .filter((run) => throughput(run).length > 0);
  const newest = all.at(-1);
  if (!newest) throw new Error('no runs to chart');
  const runs = all.filter((run) => run.options.quick === newest.options.quick).slice(-5);
  const latest = { ...newest, rows: throughput(newest) };
  const targets = Object.keys(COLORS).filter((t) => latest.rows.some((r) => r.target === t));
  const scenarios = (Object.keys(SCENARIOS) as ScenarioId[]).filter((s) => latest.rows.some((r) => r.scenario === s));
  const max = Math.max(10, ...runs.flatMap((run) => throughput(run).map((r) => r.rps)));
  // Log scale: the ceiling is ~100× the slowest scenario, and every bar must stay readable.
  const scale = (v: number) => (Math.log10(Math.max(1, v)) / Math.log10(max)) * plot;
  const bar = 14;
  const left = 230;
  const width = 900;
  const plot = width - left - 80;
  const groups = scenarios.map((s) => ({ s, rows: targets.filter((t) => latest.rows.some((r) => r.target === t && r.scenario === s)) }));
  const height = 60 + groups.reduce((h, g) => h + g.rows.length * bar + 14, 0) + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Requests/s, log scale (bars: ${escape(latest.startedAt)}; dots: ${runs.length - 1} earlier runs) — ${escape(latest.machine.cpu)}, ${latest.machine.cores} cores, Node ${latest.machine.node}</text>`,
  ];
  targets.forEach((t, i) => out.push(`<rect x="${10 + i * 160}" y="32" width="12" height="12" fill="${COLORS[t]}"/><text x="${26 + i * 160}" y="42">${t}</text>`));
  let y = 60;
  for (const { s, rows } of groups) {
    out.push(`<text x="10" y="${y + (rows.length * bar) / 2 + 4}">${escape(SCENARIOS[s])}</text>`);
    for (const t of rows) {
      const value = latest.rows.find((r) => r.target === t && r.scenario === s)!.rps;
      const w = scale(value);
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar - 2}" fill="${COLORS[t]}"/>`);
      out.push(`<text x="${left + w + 4}" y="${y + bar - 4}">${value.toFixed(0)}</text>`);
      for (const run of runs.slice(0, -1)) {
        const old = throughput(run).find((r) => r.target === t && r.scenario === s);
        if (old) out.push(`<circle cx="${(left + scale(old.rps)).toFixed(1)}" cy="${y + bar / 2 - 1}" r="2.5" fill="black" opacity="0.5"/>`);
      }
      y += bar;
    }
    y += 14;
  }
  out.push('</svg>');
  const file = `${dir}/chart.svg`;
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}
