/**
 * The child side of lib/child.ts: announce the port, answer RSS probes and named calls.
 * @module
 */
type Handler = (...args: never[]) => unknown;

interface Request {
  type: string;
  id: number;
  name?: string;
  args?: unknown[];
}

export function serveParent(port: number, calls: Record<string, Handler> = {}, onStop?: () => Promise<void>): void {
  const send = (message: object) => process.send?.(message);
  process.on('message', (request: Request) => {
    if (request.type === 'rss') {
      send({ type: 'rss', id: request.id, rss: process.memoryUsage.rss() });
      return;
    }
    const handler = request.name === undefined ? undefined : calls[request.name];
    if (!handler) {
      send({ type: 'error', id: request.id, message: `no call ${request.name}` });
      return;
    }
    Promise.resolve()
      .then(() => (handler as (...args: unknown[]) => unknown)(...(request.args ?? [])))
      .then(
        (value) => send({ type: 'result', id: request.id, value }),
        (err: unknown) => send({ type: 'error', id: request.id, message: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  process.on('SIGTERM', () => {
    void (onStop ?? (async () => {}))().finally(() => process.exit(0));
  });
  // The parent going away (crash, Ctrl-C) must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}
