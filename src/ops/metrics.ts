/**
 * Prometheus metrics. Each app gets its own registry, so several apps in one process (tests,
 * benchmarks) never collide.
 * @module
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  tokensIssued: Counter<'grant_type' | 'token'>;
  grantsRevoked: Counter<'reason'>;
  oauthErrors: Counter<'endpoint' | 'error'>;
  /** Delivery attempts of the mail outbox (jobs/mail_sender.ts): `sent`, `retry` (will be tried again), `failed` (given up). */
  mailDeliveries: Counter<'outcome'>;
  /** Outbound delivery attempts (jobs/outbound_sender.ts), by kind and outcome: `delivered`, `retry`, `failed`. */
  outboundDeliveries: Counter<'kind' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'tessera_tokens_issued_total',
      help: 'Tokens issued by the token endpoint, by grant type and token kind.',
      labelNames: ['grant_type', 'token'],
      registers: [registry],
    }),
    grantsRevoked: new Counter({
      name: 'tessera_grants_revoked_total',
      help: 'Grants revoked, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    oauthErrors: new Counter({
      name: 'tessera_oauth_errors_total',
      help: 'OAuth error responses, by endpoint and error code.',
      labelNames: ['endpoint', 'error'],
      registers: [registry],
    }),
    mailDeliveries: new Counter({
      name: 'tessera_mail_deliveries_total',
      help: 'Mail delivery attempts by this process, by outcome: sent, retry (will be tried again), failed (given up; tessera mail retry).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    outboundDeliveries: new Counter({
      name: 'tessera_outbound_deliveries_total',
      help: 'Outbound delivery attempts by this process (back-channel logout), by kind and outcome: delivered, retry (will be tried again), failed (given up).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}
