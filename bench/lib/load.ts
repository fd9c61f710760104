/**
 * One measurement: autocannon against a server process for a warm-up (discarded), then for the
 * measured time, sampling the server's RSS meanwhile. An error is any response whose status is
 * not the scenario's expected one, plus socket errors and timeouts.
 * @module
 */
import autocannon from 'autocannon';
import type { ServerProcess } from './child.ts';

export interface LoadSpec {
  /** Requests sent in turn by every connection; setupRequest/onResponse may draw from pools. */
  requests: autocannon.Request[];
  /** The status a correct answer has (303 for the authorization redirect). */
  expectStatus: number;
  /** Called after the run: a remark for the table (e.g. a pool that ran dry). */
  note?: () => string | undefined;
  /** Load kept on the same server during warm-up and measurement; its own figures are discarded. */
  background?: LoadSpec;
}

export interface LoadOptions {
  warmupSeconds: number;
  seconds: number;
  connections: number;
}

export interface Measurement {
  /** Correct answers per second; null for a latency-only figure (revoke propagation). */
  rps: number | null;
  p50: number;
  /** Latency-only figures carry p95 and max too. */
  p95?: number;
  p99: number;
  max?: number;
  /** Figures of a few samples (cold starts) carry their smallest, and every sample. */
  min?: number;
  samples?: number[];
  total: number;
  errors: number;
  rssMB: number;
  note?: string;
}

function run(server: ServerProcess, spec: LoadSpec, seconds: number, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: server.url, connections, duration: seconds, requests: spec.requests, timeout: 10 },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('error', reject);
  });
}

export async function measure(server: ServerProcess, spec: LoadSpec, options: LoadOptions): Promise<Measurement> {
  const background = spec.background && run(server, spec.background, options.warmupSeconds + options.seconds, options.connections);
  try {
    return await measureAlone(server, spec, options);
  } finally {
    await background;
  }
}

async function measureAlone(server: ServerProcess, spec: LoadSpec, options: LoadOptions): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(server, spec, options.warmupSeconds, options.connections);
  let rss = await server.rss();
  const sampler = setInterval(() => {
    server.rss().then((value) => (rss = Math.max(rss, value)), () => {});
  }, 250);
  let result: autocannon.Result;
  try {
    result = await run(server, spec, options.seconds, options.connections);
  } finally {
    clearInterval(sampler);
  }
  rss = Math.max(rss, await server.rss());
  const stats = (result.statusCodeStats ?? {}) as Record<string, { count?: number }>;
  const answered = Object.values(stats).reduce((sum, s) => sum + (s.count ?? 0), 0);
  const good = stats[String(spec.expectStatus)]?.count ?? 0;
  return {
    rps: good / options.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: answered,
    errors: answered - good + result.errors + result.timeouts,
    rssMB: rss / 1024 / 1024,
    note: spec.note?.(),
  };
}

/**
 * A queue of single-use values (codes, refresh tokens) shared by all connections. `take` runs in
 * setupRequest; when the queue is dry it hands out `dry` (a value the server refuses, counted as
 * an error) and remembers it, so the table says the pool was too small rather than the server slow.
 */
export class Pool {
  private items: string[];
  private head = 0;
  ranDry = 0;

  constructor(items: string[] = []) {
    this.items = items;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  put(item: string): void {
    this.items.push(item);
  }

  take(dry: string): string {
    if (this.head >= this.items.length) {
      this.ranDry++;
      return dry;
    }
    const item = this.items[this.head++]!;
    if (this.head > 65536) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  note(what: string): string | undefined {
    return this.ranDry > 0 ? `${what} pool ran dry ${this.ranDry}× (raise BENCH_POOL_RATE)` : undefined;
  }
}
