/**
 * Gauges read at scrape time from in-process state, so they cost nothing between scrapes.
 * @module
 */
import { Gauge, type Registry } from 'prom-client';
import type { RevocationCache } from '../caches/revocation_cache.ts';

export const REVOCATION_CACHE_GAUGE = 'tessera_revocation_cache_entries';

/** Registers the gauges once per registry (an app rebuilt over the same deps reuses them). */
export function registerStateMetrics(registry: Registry, revocations: RevocationCache): void {
  if (registry.getSingleMetric(REVOCATION_CACHE_GAUGE)) return;
  new Gauge({
    name: REVOCATION_CACHE_GAUGE,
    help: 'Revoked grants, token families and access-token ids held in this process\'s denylist.',
    registers: [registry],
    collect() {
      this.set(revocations.size);
    },
  });
}
