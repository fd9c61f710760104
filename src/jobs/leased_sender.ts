/**
 * The one delivery loop for every outbox (issue 15's mail, issue 19's outbound requests): each
 * poll takes a few due items under a lease (the store's `claim`: one sender per item on any number
 * of nodes, `FOR UPDATE SKIP LOCKED` on PostgreSQL), hands each to `deliver`, and keeps taking
 * until fewer than a batch are due. `deliver` records the outcome itself (sent, retry at
 * `retryDelay`, or failed for good); this loop only decides when to look and how to stop.
 *
 * Delivery is at least once: a process killed after the receiver accepted an item but before it
 * was marked done delivers it again when the lease ends. Nothing waits for this loop.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { randomId } from '../crypto/random.ts';

/** Items taken per poll. */
const BATCH = 10;
const MAX_DELAY_SECONDS = 3600;
/** How long a stopping sender waits for the delivery in flight. */
const STOP_WAIT_MS = 2000;

/** Seconds before attempt `attempts + 1`: retrySeconds, doubling, at most an hour. */
export function retryDelay(retrySeconds: number, attempts: number): number {
  return Math.min(MAX_DELAY_SECONDS, retrySeconds * 2 ** Math.max(0, attempts - 1));
}

/** What the loop needs of a store: take due items under a lease, and give untried ones back. */
export interface LeasedQueue<T extends { id: string }> {
  claim(owner: string, now: number, leaseSeconds: number, limit: number): Promise<T[]>;
  release(ids: readonly string[], owner: string): Promise<void>;
}

export interface LeasedSenderOptions {
  /** For the log: "mail", "outbound". */
  name: string;
  pollMs: number;
  /** Longer than any one delivery can take. */
  leaseSeconds: number;
}

export class LeasedSender<T extends { id: string }> {
  /** This process's sender id, written on the items it takes. */
  readonly id = randomId();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  /** Taken in this pass and not yet tried; `stop()` gives them back. */
  private readonly waiting: T[] = [];

  constructor(
    private readonly queue: LeasedQueue<T>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: LeasedSenderOptions,
    /** Delivers one item and records its outcome; a throw is logged and the lease left to end. */
    private readonly deliver: (item: T, owner: string) => Promise<void>,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Look now (this process just wrote something due); nothing unless started. */
  wake(): void {
    if (!this.timer || this.stopping) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.log.warn({ err }, `${this.options.name}: looking for work failed; will retry`))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Sends nothing more. Items taken but not started go back at once for another node; the
   * delivery in flight gets STOP_WAIT_MS to finish, so a receiver that hangs cannot hold a
   * shutdown past the process's grace period. One cut short is sent again when its lease ends.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const untried = this.waiting.splice(0);
    await this.queue.release(untried.map((m) => m.id), this.id).catch((err: unknown) => this.log.warn({ err }, `${this.options.name}: giving back untried items failed; their lease will end`));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ticking, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** One pass: takes due items until none are left (or the process stops). */
  private async tick(): Promise<void> {
    while (!this.stopping) {
      const taken = await this.queue.claim(this.id, this.clock.now(), this.options.leaseSeconds, BATCH);
      // Stopped while claiming: give them back rather than start.
      if (this.stopping) return this.queue.release(taken.map((m) => m.id), this.id);
      this.waiting.push(...taken);
      for (let item = this.waiting.shift(); item; item = this.waiting.shift()) await this.deliver(item, this.id);
      if (taken.length < BATCH) return;
    }
  }
}
