/** Counts and times every request by its route pattern (never the raw URL: it may carry a code). */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  // Callback-style: every request runs it (an async hook costs a promise and a microtask).
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
}
