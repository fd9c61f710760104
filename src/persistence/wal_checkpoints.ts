/**
 * Checkpoints of a server's SQLite log (issue 14), instead of SQLite's automatic one
 * (`wal_autocheckpoint`, off on the server's connection).
 *
 * In WAL mode every commit appends pages to the log, and a checkpoint copies them back into the
 * database file and syncs it (https://www.sqlite.org/wal.html#ckpt). SQLite's automatic checkpoint
 * runs inside the commit that takes the log past 1,000 pages: on the event loop, while that
 * commit's requests wait, and most of its time is the sync of the database file (measured here:
 * 10–100 ms per checkpoint under a write burst). The log must also restart (writers go back to its
 * beginning), which SQLite does at the first write after a checkpoint copied ALL of it; a
 * checkpoint on another thread while this one keeps appending never copies all of it, and the log
 * grew to 1.4 GB in 15 s that way (docs/performance.md, change 8, withdrawn).
 *
 * So the work is done by a worker thread with a connection of its own, off the event loop, in two
 * kinds of passes, both PASSIVE checkpoints:
 * - while this process writes, a pass at most every `intervalMs`: it copies most of the log while
 *   the groups go on;
 * - when a pass finds the log past `restartPages`, new groups are held back (their units wait;
 *   reads, signing and HTTP go on) and, once the open group committed, one more pass copies the
 *   little committed since the last one. Nothing writes meanwhile, so it copies the whole log
 *   (unless another process's reader still needs part of it), the groups resume, and the first
 *   one restarts the log. The log stays near `restartPages`; the wait falls on writes only, for
 *   about one short pass, and never blocks the event loop.
 * @module
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The longest the final pass may hold new groups back before they go on without it. */
const HOLD_MAX_MS = 1000;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path);
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  const started = performance.now();
  let row;
  try { row = db.pragma('wal_checkpoint(PASSIVE)')[0]; } catch (err) { row = { busy: 1, log: -1, checkpointed: -1 }; }
  parentPort.postMessage({ ...row, ms: performance.now() - started });
});
`;

interface Pass {
  busy: number;
  log: number;
  checkpointed: number;
  ms: number;
}

export interface CheckpointFigures {
  /** Passes while writing, and final passes with the groups held back. */
  passes: number;
  finals: number;
  /** Pages in the log at the last pass, and the most seen. */
  lastLogPages: number;
  largestLogPages: number;
  /** The longest pass, and the longest final pass (the longest that writes were held), in ms. */
  longestPassMs: number;
  longestFinalMs: number;
}

export interface CheckpointOptions {
  intervalMs?: number;
  restartPages?: number;
}

/** What the checkpoints need of the group commit. */
export interface HeldWrites {
  /** No group is open: nothing of this process is writing. */
  idle(): boolean;
  /** No new group starts until release(). */
  hold(): void;
  release(): void;
}

export class WalCheckpoints {
  /** Started at the first pass: a process that only reads (most CLI commands) never starts one. */
  private worker: Worker | undefined;
  private readonly intervalMs: number;
  private readonly restartPages: number;
  /** A pass was asked for and has not reported. */
  private outstanding = false;
  /** Something was committed since the last pass was asked for. */
  private dirty = false;
  /** normal; holding: groups held, the final pass waits for the open group; final: the final pass runs. */
  private phase: 'normal' | 'holding' | 'final' = 'normal';
  private lastAsked = 0;
  private holdStarted = 0;
  private timer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly figures: CheckpointFigures = { passes: 0, finals: 0, lastLogPages: 0, largestLogPages: 0, longestPassMs: 0, longestFinalMs: 0 };

  constructor(
    private readonly path: string,
    private readonly writes: HeldWrites,
    { intervalMs = 100, restartPages = 4096 }: CheckpointOptions = {},
  ) {
    this.intervalMs = intervalMs;
    this.restartPages = restartPages;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, { eval: true, workerData: { path: this.path, driver } });
    worker.unref();
    worker.on('message', (pass: Pass) => this.reported(pass));
    // A worker that dies takes only the checkpoints with it (SQLite's own close still checkpoints);
    // it must not leave the writes held.
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
    this.worker = worker;
    return worker;
  }

  /** A group ended (no group is open now). */
  afterGroup(): void {
    this.dirty = true;
    if (this.phase === 'holding') this.askFinal();
    else this.askSoon();
  }

  private askSoon(): void {
    if (this.outstanding || this.timer || this.closed || !this.dirty || this.phase !== 'normal') return;
    const wait = this.lastAsked + this.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.askSoon();
      }, wait);
      this.timer.unref();
      return;
    }
    this.ask();
  }

  private ask(): void {
    const worker = this.started();
    // Referenced while a pass runs: held writes wait for its report, which must keep the process alive.
    worker.ref();
    this.outstanding = true;
    this.dirty = false;
    this.lastAsked = Date.now();
    worker.postMessage('checkpoint');
  }

  private askFinal(): void {
    if (this.outstanding || this.closed || !this.writes.idle()) return;
    this.phase = 'final';
    this.ask();
    // Writes are never held longer than this, whatever the pass does (a disk that stalls).
    this.holdTimer = setTimeout(() => this.giveUpHold(), HOLD_MAX_MS);
  }

  private giveUpHold(): void {
    this.holdTimer = undefined;
    if (this.phase === 'normal') return;
    this.phase = 'normal';
    this.writes.release();
  }

  private reported(pass: Pass): void {
    this.worker?.unref();
    this.outstanding = false;
    if (pass.log >= 0) {
      this.figures.lastLogPages = pass.log;
      this.figures.largestLogPages = Math.max(this.figures.largestLogPages, pass.log);
    }
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    if (this.phase === 'final') {
      this.figures.finals++;
      this.figures.longestFinalMs = Math.max(this.figures.longestFinalMs, performance.now() - this.holdStarted);
      this.phase = 'normal';
      this.writes.release();
      this.askSoon();
      return;
    }
    this.figures.passes++;
    this.figures.longestPassMs = Math.max(this.figures.longestPassMs, pass.ms);
    if (pass.log >= this.restartPages && !this.closed) {
      this.phase = 'holding';
      this.holdStarted = performance.now();
      this.writes.hold();
      this.askFinal();
      return;
    }
    this.askSoon();
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.timer = undefined;
    this.holdTimer = undefined;
    if (this.phase !== 'normal') this.writes.release();
    this.phase = 'normal';
  }

  async close(): Promise<void> {
    this.stop();
    const worker = this.worker;
    if (!worker) return;
    // The worker closes its connection before this one closes (whose close checkpoints and removes the log).
    const exited = once(worker, 'exit');
    worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
