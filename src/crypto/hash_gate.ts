/**
 * Bounds how many argon2id computations run at once. Each one takes a core for tens of
 * milliseconds; with one per pending sign-in, a burst of sign-ins takes every core and the token
 * endpoint's latency grows with it (issue 7 target: its p99 under sign-ins at the hashing limit
 * stays within 3× of its p99 without them; docs/performance.md). One core is left to the event loop.
 * Sign-ins beyond the limit wait their turn in order.
 * @module
 */
import { availableParallelism } from 'node:os';

export class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, so the count never overshoots.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The process's gate: all cores but one (at least one). */
export const passwordHashing = new HashGate(Math.max(1, availableParallelism() - 1));
