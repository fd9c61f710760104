/**
 * Graceful drain on SIGTERM (SECURITY R6: a rolling restart under load causes 0 failed requests).
 * For a short grace period before the server closes, the node keeps serving but tells every client
 * to go elsewhere: each response carries `Connection: close`, so keep-alive connections end after
 * their current request instead of being cut while idle (a request written onto a connection the
 * server is closing is lost, not refused), and /readyz answers 503 so load balancers stop routing.
 * Found by test/reliability/nodes.test.ts (rolling restart).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { OPS_ENDPOINTS } from './routes.ts';

/** How long a draining node keeps serving before it stops accepting connections. */
export const DRAIN_GRACE_MS = 1000;

export interface Drain {
  /** Starts draining; resolves when the grace period is over and the server may close. */
  begin(graceMs?: number): Promise<void>;
}

export function registerDrain(app: FastifyInstance): Drain {
  let draining = false;
  // Callback-style: every request runs it, and it has nothing to do until a drain begins.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining) return done();
    reply.header('connection', 'close');
    // Answering from a callback hook: send, and do not call done (Fastify's hooks reference).
    if (request.url.split('?')[0] === OPS_ENDPOINTS.ready) return void reply.code(503).header('retry-after', '5').header('cache-control', 'no-store').send({ status: 'draining' });
    done();
  });
  return {
    async begin(graceMs = DRAIN_GRACE_MS) {
      draining = true;
      await new Promise((resolve) => setTimeout(resolve, graceMs));
    },
  };
}
