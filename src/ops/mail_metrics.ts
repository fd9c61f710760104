/**
 * Gauges of the mail outbox (issue 15), read from the database at scrape time: the outbox is
 * shared by every node, so each node reports the same figures and one alert rule covers them
 * (docs/operators.md, "Mail"). One grouped read per scrape over pending and failed mail, which
 * are few; sent mail is never counted.
 * @module
 */
import { Gauge, type Registry } from 'prom-client';
import type { OutboxBacklog, OutboxStore } from '../domain/mail.ts';

export const MAIL_OUTBOX_GAUGE = 'tessera_mail_outbox_messages';
export const MAIL_OLDEST_PENDING_GAUGE = 'tessera_mail_oldest_pending_age_seconds';

/**
 * Registers the gauges once per registry (an app rebuilt over the same deps reuses them). A read
 * that fails (the database is down) leaves the previous figures, so a scrape still answers with
 * the process's other metrics; /readyz reports the database.
 */
export function registerMailMetrics(registry: Registry, outbox: OutboxStore, now: () => number): void {
  if (registry.getSingleMetric(MAIL_OUTBOX_GAUGE)) return;
  // Both gauges are collected in the same scrape: they share one read.
  let reading: Promise<OutboxBacklog | undefined> | undefined;
  const read = () =>
    (reading ??= outbox
      .backlog()
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      }));
  new Gauge({
    name: MAIL_OUTBOX_GAUGE,
    help: 'Messages in the mail outbox, by status: pending (waiting or being retried) and failed (given up; tessera mail retry).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (!backlog) return;
      this.set({ status: 'pending' }, backlog.pending);
      this.set({ status: 'failed' }, backlog.failed);
    },
  });
  new Gauge({
    name: MAIL_OLDEST_PENDING_GAUGE,
    help: 'Seconds since the oldest pending message was written; 0 when none is pending. Grows while mail cannot leave.',
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (!backlog) return;
      this.set(backlog.oldestPendingAt === null ? 0 : Math.max(0, now() - backlog.oldestPendingAt));
    },
  });
}
