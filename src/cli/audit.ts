/**
 * `tessera audit list`: the audit log for operators (issue 8, "Audit"): sign-ins, grants approved
 * (created or extended), narrowed and revoked, secrets created and revoked, policy changes, key
 * rotations. Read only: the log is append-only in the database (migration 202611291500).
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { SqlAuditLog } from '../persistence/stores/audit_log.ts';
import type { AuditLogEntry } from '../domain/audit_log.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

interface ListInput {
  user: string | undefined;
  app: string | undefined;
  type: string | undefined;
  since: number | undefined;
  limit: number;
}

function parseSince(value: string): number {
  // Dates and date-times only (2026-11-29, 2026-11-29T10:00:00Z): Date.parse alone takes far too much.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new UsageError(`--since "${value}" is not an ISO 8601 date or date-time (e.g. 2026-11-29 or 2026-11-29T10:00:00Z)`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--since "${value}" is not a valid date`);
  return Math.floor(ms / 1000);
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

function parseType(value: string): string {
  const type = text('type', value, 100);
  // `<entity>.<past_verb>` (STYLE 5.3), or `<entity>.` for every event of an entity.
  if (!/^[a-z0-9_]+(\.[a-z0-9_]*)*$/.test(type)) throw new UsageError(`--type "${type}" is not an event type like grant.revoked (or a prefix like grant.)`);
  return type;
}

function toJson(e: AuditLogEntry) {
  return { id: e.id, at: new Date(e.at * 1000).toISOString(), type: e.type, user_id: e.userId, user_email: e.userEmail, app_id: e.appId, ip: e.ip, detail: e.detail };
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
    since: { type: 'string', value: 'ISO', description: 'only events at or after this date or date-time (2026-11-29T10:00:00Z)' },
    limit: { type: 'string', value: 'N', description: `at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` },
  },
  example: 'tessera audit list --user alice@example.com --type grant. --since 2026-11-01 --json',
  check(flags) {
    const user = flags.string('user');
    const app = flags.string('app');
    const type = flags.string('type');
    const since = flags.string('since');
    return {
      user: user === undefined ? undefined : email('user', user),
      app: app === undefined ? undefined : text('app', app, 200),
      type: type === undefined ? undefined : parseType(type),
      since: since === undefined ? undefined : parseSince(since.trim()),
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
    const events = await new SqlAuditLog(context.database.db).list({
      ...(userId !== undefined ? { userId } : {}),
      ...(input.app !== undefined ? { appId: input.app } : {}),
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...(input.since !== undefined ? { since: input.since } : {}),
      limit: input.limit,
    });
    return {
      json: { events: events.map(toJson) },
      text: events.length === 0 ? 'no matching audit events' : events.map(line).join('\n'),
    };
  },
});

export const auditGroup: CommandGroup = {
  name: 'audit',
  summary: 'the audit log of security events',
  commands: { list },
};
