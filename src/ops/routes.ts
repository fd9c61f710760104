/**
 * Operations endpoints for load balancers, orchestrators and Prometheus:
 * GET /healthz (the process is alive; no dependency checked, so a database outage never gets
 * healthy processes restarted), GET /readyz (the database answers), GET /metrics.
 * None of them reveals a secret; /metrics should still be reachable only from the monitoring
 * network (see docs/operators.md).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../deps.ts';
import { rejectOtherMethods } from '../http/methods.ts';
import { isReady } from './readiness.ts';
import { registerStateMetrics } from './state_metrics.ts';
import { registerMailMetrics } from './mail_metrics.ts';

export const OPS_ENDPOINTS = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/** Seconds a client should wait before asking /readyz again after a 503 (RFC 9110 §10.2.3). */
const RETRY_AFTER_SECONDS = 5;

export default async function opsRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerStateMetrics(deps.metrics.registry, deps.revocations);
  registerMailMetrics(deps.metrics.registry, deps.stores.outbox, () => deps.clock.now());

  app.get(OPS_ENDPOINTS.health, async (_request, reply) => {
    reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });

  app.get(OPS_ENDPOINTS.ready, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (await isReady(deps.database.db)) return reply.send({ status: 'ready' });
    return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ status: 'unavailable' });
  });

  app.get(OPS_ENDPOINTS.metrics, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    reply.header('content-type', deps.metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });

  for (const url of Object.values(OPS_ENDPOINTS)) rejectOtherMethods(app, url, ['GET']);
}
