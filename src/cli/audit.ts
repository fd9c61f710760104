/**
 * `tessera audit list`: the audit log for operators (issue 8, "Audit"): sign-ins, grants approved
 * (created or extended), narrowed and revoked, secrets created and revoked, policy changes, key
 * rotations. Read only: the log is append-only in the database (migration 202611291500).
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { auditJson, type AuditLogEntry } from '../domain/audit_log.ts';
import { MAX_TYPE, auditTime, auditType, refusedAs } from '../domain/audit_filters.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

interface ListInput {
  user: string | undefined;
  app: string | undefined;
  type: string | undefined;
  since: number | undefined;
  until: number | undefined;
  limit: number;
}

/** The shared rules (domain/audit_filters.ts), refused as a usage error naming the flag. */
function checked<T>(flag: string, read: () => T): T {
  return refusedAs(read, (message) => new UsageError(`--${flag} ${message}`));
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

function line(e: AuditLogEntry): string {
  const who = e.userEmail ?? e.userId ?? '-';
  const detail = Object.keys(e.detail).length > 0 ? ' ' + JSON.stringify(e.detail) : '';
  return `${new Date(e.at * 1000).toISOString()}  ${e.type.padEnd(24)}  ${who}${e.appId ? `  app=${e.appId}` : ''}${e.ip ? `  ip=${e.ip}` : ''}${detail}`;
}

const list = command<ListInput>({
  summary: 'show audit events, newest first: sign-ins, grants, secrets, policies, key rotations',
  flags: {
    user: { type: 'string', value: 'EMAIL', description: "only this person's events" },
    app: { type: 'string', value: 'CLIENT_ID', description: "only events about this service (its secrets, grants, suspension; see tessera app show)" },
    type: { type: 'string', value: 'TYPE', description: 'only this event type (grant.revoked), or every type of an entity (grant.)' },
    since: { type: 'string', value: 'ISO', description: 'only events at or after this date or date-time (2026-11-29T10:00:00Z; UTC unless it says otherwise)' },
    until: { type: 'string', value: 'ISO', description: 'only events at or before this date-time, or during or before this date (2026-11-30)' },
    limit: { type: 'string', value: 'N', description: `at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` },
  },
  example: 'tessera audit list --user alice@example.com --type grant. --since 2026-11-01 --json',
  check(flags) {
    const user = flags.string('user');
    const app = flags.string('app');
    const type = flags.string('type');
    const since = flags.string('since');
    const until = flags.string('until');
    return {
      user: user === undefined ? undefined : email('user', user),
      app: app === undefined ? undefined : text('app', app, 200),
      type: type === undefined ? undefined : checked('type', () => auditType(text('type', type, MAX_TYPE))),
      since: since === undefined ? undefined : checked('since', () => auditTime(since, 'start')),
      until: until === undefined ? undefined : checked('until', () => auditTime(until, 'end')),
      limit: parseLimit(flags.string('limit')),
    };
  },
  async run(context, input) {
    let userId: string | undefined;
    if (input.user !== undefined) {
      const user = await context.stores.users.findByEmail(input.user);
      if (!user) throw new CliError(`no person has the email ${input.user}`);
      userId = user.id;
    }
    const events = await context.stores.auditLog.list({
      ...(userId !== undefined ? { userId } : {}),
      ...(input.app !== undefined ? { appId: input.app } : {}),
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...(input.since !== undefined ? { since: input.since } : {}),
      ...(input.until !== undefined ? { until: input.until } : {}),
      limit: input.limit,
    });
    return {
      json: { events: events.map(auditJson) },
      text: events.length === 0 ? 'no matching audit events' : events.map(line).join('\n'),
    };
  },
});

export const auditGroup: CommandGroup = {
  name: 'audit',
  summary: 'the audit log of security events',
  commands: { list },
};
