/**
 * WAL checkpoints of the embedded SQLite database, on a thread of their own.
 *
 * In WAL mode every commit appends to the `-wal` file, and by default the connection that commits
 * past 1,000 pages copies them back into the database file and syncs it — a checkpoint — inside
 * that commit. better-sqlite3 runs statements on the event loop, so every few hundred token
 * requests one of them stopped the whole server for the copy and an fsync: with checkpoints off
 * the event loop, refresh on SQLite went from 1,364–1,961 to 2,356–2,648 req/s in alternating runs
 * of the same bench (docs/performance.md).
 *
 * So the server's connection never checkpoints (`wal_autocheckpoint = 0`), and a worker thread with
 * its own connection runs a PASSIVE checkpoint every `intervalMs`: it copies what no reader still
 * needs and never blocks the writer (https://www.sqlite.org/wal.html#ckpt, "Checkpointing"). Once a
 * checkpoint has copied the whole log, the next commit starts the log from the beginning, so the
 * file stays about as large as what is written between two checkpoints.
 *
 * Should the thread fail, the connection checkpoints by itself again, as SQLite does by default.
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * The thread's program, plain JavaScript so it runs the same under tsx and compiled builds: it
 * opens the database by path and checkpoints on a timer until it is told to stop.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

/** SQLite's own default, restored when the thread fails: checkpoint every 1,000 pages of log. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface Checkpointer {
  /** Stops the thread; the connection's own close then checkpoints what is left. */
  stop(): Promise<void>;
}

export function startCheckpointer(sqlite: SQLite.Database, path: string, options: { intervalMs?: number; onError?: (err: Error) => void } = {}): Checkpointer {
  const worker = new Worker(THREAD, {
    eval: true,
    // The driver by its resolved path, so the thread loads the very copy this process uses.
    workerData: { path, intervalMs: options.intervalMs ?? 500, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  sqlite.pragma('wal_autocheckpoint = 0');
  // The thread must never keep the process alive on its own.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      if (!stopping && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      resolve();
    });
  });
  worker.on('error', (err) => options.onError?.(err));
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        // Held while it finishes, or the process could end with this promise pending.
        worker.ref();
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
