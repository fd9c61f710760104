/**
 * `tessera mail …`: the mail outbox (issue 15; docs/operators.md, "Mail"). `list` shows what is
 * waiting, sent or given up, with the mail server's last answer; `retry` makes failed mail due
 * again, and a running server's sender takes it within MAIL_POLL_MS (each node polls the outbox,
 * so nothing needs to be told).
 *
 * Neither shows a message's data: a link message names its link only by id, and the link itself
 * is made at send time with a key the database does not hold (crypto/account_links.ts), so the
 * outbox has nothing to show that opens an account, and this command keeps it that way.
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import type { MailStatus, OutboxMessage } from '../domain/mail.ts';

const STATUSES: readonly MailStatus[] = ['pending', 'sent', 'failed'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;
/** Ids given to one `retry`; an operator with more retries them all with --failed. */
const MAX_IDS = 1000;

interface ListInput {
  status: MailStatus | undefined;
  limit: number;
}

function parseStatus(value: string | undefined): MailStatus | undefined {
  if (value === undefined) return undefined;
  const status = STATUSES.find((s) => s === value.trim());
  if (!status) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}; got "${value}"`);
  return status;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return Number(value);
}

const iso = (at: number | null) => (at === null ? null : new Date(at * 1000).toISOString());

/** What `list --json` shows of a message: never its data (see the module comment). */
function toJson(m: OutboxMessage) {
  return {
    id: m.id,
    kind: m.kind,
    to: m.to,
    status: m.status,
    attempts: m.attempts,
    created_at: iso(m.createdAt),
    sent_at: iso(m.sentAt),
    // When a pending message is tried next; meaningless once sent or failed.
    next_attempt_at: m.status === 'pending' ? iso(m.nextAttemptAt) : null,
    last_error: m.lastError,
  };
}

function line(m: OutboxMessage): string {
  const when = m.status === 'sent' ? `sent ${iso(m.sentAt)}` : m.status === 'pending' ? `next ${iso(m.nextAttemptAt)}` : 'given up';
  const error = m.lastError && m.status !== 'sent' ? `  error: ${m.lastError.replace(/\s+/g, ' ')}` : '';
  return `${iso(m.createdAt)}  ${m.id}  ${m.status.padEnd(7)}  ${m.kind.padEnd(18)}  ${m.to}  attempts=${m.attempts}  ${when}${error}`;
}

const list = command<ListInput>({
  summary: 'show the mail outbox, newest first: recipient, status, attempts, the last error',
  flags: {
    status: { type: 'string', value: 'STATUS', description: 'only pending, sent or failed mail' },
    limit: { type: 'string', value: 'N', description: `at most N messages (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` },
  },
  example: 'tessera mail list --status failed --json',
  check: (flags) => ({ status: parseStatus(flags.string('status')), limit: parseLimit(flags.string('limit')) }),
  async run(context, input) {
    const messages = await context.stores.outbox.list({ ...(input.status ? { status: input.status } : {}), limit: input.limit });
    return {
      json: { messages: messages.map(toJson) },
      text: messages.length === 0 ? `no ${input.status ?? ''}${input.status ? ' ' : ''}mail in the outbox` : messages.map(line).join('\n'),
    };
  },
});

type RetryInput = { ids: string[] } | { ids: 'failed' };

const retry = command<RetryInput>({
  summary: 'send failed mail again: the listed messages (--id), or every failed one (--failed)',
  flags: {
    id: { type: 'string', multiple: true, value: 'ID', description: 'a failed message (from tessera mail list)' },
    failed: { type: 'boolean', description: 'every failed message' },
  },
  example: 'tessera mail retry --id Xq3vN8kP2rT6yW9bC4dF1g --id 7bLmQ0sZx4Ra2Vn9Ke5Hwg',
  check(flags) {
    const ids = [...new Set(flags.list('id').map((id) => id.trim()))];
    const all = flags.boolean('failed');
    if (all && ids.length > 0) throw new UsageError('give either --id or --failed, not both');
    if (all) return { ids: 'failed' };
    if (ids.length === 0) throw new UsageError('tessera mail retry needs --id ID (repeatable) or --failed; see tessera mail retry --help');
    if (ids.length > MAX_IDS) throw new UsageError(`at most ${MAX_IDS} --id at once; use --failed to retry every failed message`);
    const odd = ids.find((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id));
    if (odd !== undefined) throw new UsageError(`--id "${odd}" is not a message id (see tessera mail list)`);
    return { ids };
  },
  async run(context, input) {
    if (input.ids !== 'failed') {
      // All or nothing: an id that is not a failed message refuses the whole command, so a typo
      // never leaves the operator guessing which of several were retried.
      for (const id of input.ids) {
        const message = await context.stores.outbox.find(id);
        if (!message) throw new CliError(`no message with id ${id} in the outbox (see tessera mail list)`);
        if (message.status !== 'failed') {
          throw new CliError(`message ${id} is ${message.status}, not failed; only failed mail is retried${message.status === 'pending' ? ' (pending mail is sent on its own)' : ''}`);
        }
      }
    }
    const retried = await context.stores.outbox.retry(input.ids, context.now());
    // Another operator's retry (or a janitor purge) between the check and the update.
    if (input.ids !== 'failed' && retried < input.ids.length) {
      throw new CliError(`retried ${retried} of ${input.ids.length} messages; the others stopped being failed meanwhile (see tessera mail list)`);
    }
    return {
      json: { retried, ...(input.ids === 'failed' ? {} : { ids: input.ids }) },
      text:
        retried === 0
          ? 'no failed mail to retry'
          : `${retried} message${retried === 1 ? '' : 's'} due again; running servers send ${retried === 1 ? 'it' : 'them'} within MAIL_POLL_MS (${context.config.mail.pollMs} ms)`,
    };
  },
});

export const mailGroup: CommandGroup = {
  name: 'mail',
  summary: 'the mail outbox: what is waiting, sent or failed; send failed mail again',
  commands: { list, retry },
};
