/**
 * What the propagation probes (revoke_propagation.ts, suspend_propagation.ts) share: one sample at
 * a time, each a delay until node B refuses what node A changed, reported as a latency-only figure.
 * @module
 */
import type { ServerProcess } from './child.ts';
import type { Measurement } from './load.ts';

/** A sample B has not refused by then counts as an error, with this delay (a lower bound) in the figures. */
export const GIVE_UP_MS = 5000;

/** Nearest-rank percentile of sorted values, to 0.1 ms. */
export function percentile(sorted: number[], p: number): number {
  const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return Math.round(value * 10) / 10;
}

export interface PropagationSamples {
  samples: number;
  /** Per sample, from A's answer (or the change's return) to B's refusal, ms. */
  delays: number[];
  /** The same delays counted from the moment the change was started: an upper bound. */
  fromStart: number[];
  /** How the note names that start ("sending the revoke", "calling the suspension"). */
  startedBy: string;
  errors: number;
  polls: number;
}

/** The figure: percentiles of `delays`, the larger RSS of the two nodes, and a note with the upper bound. */
export async function propagationFigure(a: ServerProcess, b: ServerProcess, s: PropagationSamples): Promise<Measurement> {
  const sorted = [...s.delays].sort((x, y) => x - y);
  const sortedFromStart = [...s.fromStart].sort((x, y) => x - y);
  const rss = Math.max(await a.rss(), await b.rss());
  return {
    rps: null,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    total: s.samples,
    errors: s.errors,
    rssMB: rss / 1024 / 1024,
    note:
      `${s.samples} samples, p95 ${percentile(sorted, 95)} ms, max ${percentile(sorted, 100)} ms, ${(s.polls / s.samples).toFixed(1)} polls each;` +
      ` from ${s.startedBy}: p50 ${percentile(sortedFromStart, 50)} ms, p99 ${percentile(sortedFromStart, 99)} ms`,
  };
}
