/**
 * A server under test in its own process, so it never shares an event loop with the load
 * generator. The child reports `{ type: 'ready', port }` over IPC, answers `{ type: 'rss' }`
 * with its resident set size, and may serve named seeding calls (`{ type: 'call', name, args }`).
 * @module
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let built = false;

/**
 * Servers run compiled, as `npm start` runs Tessera (scripts/build.mjs): under tsx each would carry
 * the loader's thread and heap, about 60 MB of resident memory no production server has.
 * Brought up to date once per bench run, from the working tree, as `npm start` does (prestart): a
 * dist/ built from the same sources is reused (scripts/build_manifest.mjs).
 */
export function buildOnce(): void {
  if (built) return;
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed (scripts/build.mjs)');
  built = true;
}

interface Reply {
  type: 'ready' | 'rss' | 'result' | 'error';
  id?: number;
  port?: number;
  rss?: number;
  value?: unknown;
  message?: string;
}

export class ServerProcess {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: Reply) => {
      const pending = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (!pending) return;
      this.waiting.delete(message.id!);
      if (message.type === 'error') pending.reject(new Error(message.message));
      else pending.resolve(message);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `bench/servers/<name>.ts`, compiled to dist/, with `env` added, and waits for it to listen. */
  static async start(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    buildOnce();
    const file = fileURLToPath(new URL(`../../dist/bench/servers/${name}.js`, import.meta.url));
    const child = fork(file, [], {
      execArgv: process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60000);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
      child.on('message', (m: Reply) => {
        if (m.type === 'ready' && m.port) {
          clearTimeout(timer);
          resolve(m.port);
        }
      });
    });
    child.removeAllListeners('exit');
    return new ServerProcess(child, port);
  }

  /** Resident set size of the server process, in bytes. */
  async rss(): Promise<number> {
    return (await this.send({ type: 'rss' })).rss ?? 0;
  }

  /** A seeding call the server process answers itself (only the reference server offers these). */
  async call<T>(name: string, ...args: unknown[]): Promise<T> {
    return (await this.send({ type: 'call', name, args })).value as T;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }

  private send(message: { type: string; name?: string; args?: unknown[] }): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...message, id });
    });
  }
}
