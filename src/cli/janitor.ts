/**
 * `tessera janitor`: purges expired codes, refresh tokens, sessions, pending requests, denylist
 * entries, old activity and audit events past AUDIT_RETENTION_DAYS now, in small batches
 * (src/jobs/janitor.ts). Servers do the same in the background (JANITOR_INTERVAL_MS); this is for
 * cron, for a backlog, or with the timer off.
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import { UsageError } from './errors.ts';
import { runJanitor } from '../jobs/janitor.ts';
import { SqlPurgeStore } from '../persistence/stores/purge.ts';

interface RunInput {
  batchSize: number;
  maxBatches: number;
}

function whole(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return Number(value);
}

const run = command<RunInput>({
  summary: 'purge expired tokens, sessions, old activity and old audit events now, in small batches',
  flags: {
    'batch-size': { type: 'string', value: 'N', description: 'rows per delete statement (default 500, at most 10000)' },
    'max-batches': { type: 'string', value: 'N', description: 'stop each table after N batches (default: until done)' },
  },
  example: 'tessera janitor --json',
  check(flags) {
    return {
      batchSize: whole('batch-size', flags.string('batch-size'), 500, 10_000),
      maxBatches: whole('max-batches', flags.string('max-batches'), Number.MAX_SAFE_INTEGER, 1_000_000_000),
    };
  },
  async run(context, input) {
    const report = await runJanitor(new SqlPurgeStore(context.database.db), context.now(), {
      batchSize: input.batchSize,
      maxBatches: input.maxBatches,
      activityRetentionDays: context.config.activityRetentionDays,
      auditRetentionDays: context.config.auditRetentionDays,
    });
    const total = Object.values(report.deleted).reduce((a, b) => a + b, 0);
    const lines = Object.entries(report.deleted)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `  ${kind.padEnd(24)} ${n}`);
    const text = [
      `Purged ${total} row${total === 1 ? '' : 's'} past retention${report.complete ? '.' : '; more remain (stopped at --max-batches).'}`,
      ...lines,
    ].join('\n');
    return { json: { deleted: report.deleted, total, complete: report.complete }, text };
  },
});

export const janitorGroup: CommandGroup = {
  name: 'janitor',
  summary: 'purge expired rows',
  commands: { run },
  default: 'run',
};
