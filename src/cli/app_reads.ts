/**
 * `tessera app list` and `tessera app show` (issue 21): the operator's reads of services, through
 * services/operator_reads.ts like the /admin console's Services page. Read only; `app show` is
 * where the bad day starts (docs/operators.md): owners, secrets, people affected, suspension.
 * @module
 */
import { command } from './command.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { text } from './values.ts';
import { PAGE_FLAGS, pageInput, pageLines, pageText, shellWord, table, when, type PageInput } from './pages.ts';
import { searchServices, serviceOverview, type ServiceOverview, type ServiceRow } from '../services/operator_reads.ts';

function readDeps(context: CliContext) {
  return { stores: context.stores, clock: { now: context.now } };
}

function serviceJson(s: ServiceRow) {
  return {
    client_id: s.clientId,
    name: s.name,
    company: s.company,
    verified: s.verified,
    suspended: s.suspension !== null,
    suspended_at: s.suspension?.since ?? null,
    suspension_reason: s.suspension?.reason ?? null,
    owners: s.owners,
    people: s.people,
    created_at: s.createdAt,
  };
}

const list = command<PageInput & { suspended: boolean; verified: boolean }>({
  summary: 'list services, newest first: search by name, publisher or client id; only suspended or verified ones; pages with --after',
  flags: {
    query: { type: 'string', value: 'TEXT', description: 'part of the name, publisher or client id, any case, taken literally' },
    suspended: { type: 'boolean', description: 'only services suspended now' },
    verified: { type: 'boolean', description: 'only services whose publisher is verified' },
    ...PAGE_FLAGS,
  },
  example: 'tessera app list --query dashboard --suspended',
  check: (flags) => ({ ...pageInput(flags), suspended: flags.boolean('suspended'), verified: flags.boolean('verified') }),
  async run(context, input) {
    // An absent flag means no filter, not "only those without".
    const { suspended, verified, ...page } = input;
    const { services, next } = await searchServices(readDeps(context), { ...page, ...(suspended ? { suspended } : {}), ...(verified ? { verified } : {}) });
    const body = table(
      ['CLIENT ID', 'NAME', 'PUBLISHER', 'VERIFIED', 'STATUS', 'OWNERS', 'PEOPLE', 'CREATED'],
      services.map((s) => [s.clientId, s.name, s.company, s.verified ? 'yes' : 'no', s.suspension === null ? 'active' : 'suspended', String(s.owners), String(s.people), when(s.createdAt)]),
    );
    const again = [
      'tessera app list',
      ...(input.query === undefined ? [] : ['--query', shellWord(input.query)]),
      ...(input.suspended ? ['--suspended'] : []),
      ...(input.verified ? ['--verified'] : []),
      '--limit',
      String(input.limit),
    ].join(' ');
    return { jsonLines: pageLines(services.map(serviceJson), next), text: pageText(body, services.length, 'no matching services', next, again) };
  },
});

function overviewJson(o: ServiceOverview) {
  const a = o.app;
  return {
    client_id: a.id,
    name: a.name,
    company: a.publisher,
    client_type: a.spa ? 'spa' : a.clientType,
    verified: a.verified,
    created_at: a.createdAt,
    owners: o.owners,
    secrets: o.secrets.map((s) => ({ id: s.id, created_at: s.createdAt, expires_at: s.expiresAt, last_used_at: s.lastUsedAt })),
    suspended: o.suspension !== null,
    suspension: o.suspension === null ? null : { reason: o.suspension.reason, suspended_at: o.suspension.since },
    last_lifted_suspension: o.lastLifted === null ? null : { reason: o.lastLifted.reason, suspended_at: o.lastLifted.suspendedAt, unsuspended_at: o.lastLifted.liftedAt },
    people: o.people,
    scopes: a.scopes,
    redirect_uris: a.redirectUris,
    post_logout_redirect_uris: a.postLogoutRedirectUris ?? [],
    backchannel_logout_uri: a.backchannelLogoutUri ?? null,
    usage: { days: o.usage.days, tokens_per_day: o.usage.tokensPerDay, errors_by_code: o.usage.errorsByCode },
  };
}

const LABEL = 22;

/** `  label:   value`, further values of a list on their own lines under the first. */
function field(label: string, values: string | readonly string[]): string {
  const list = typeof values === 'string' ? [values] : values.length === 0 ? ['none'] : values;
  return list.map((v, i) => `  ${(i === 0 ? `${label}:` : '').padEnd(LABEL)}${v}`).join('\n');
}

function overviewText(o: ServiceOverview): string {
  const a = o.app;
  const status = o.suspension === null ? 'active' : `SUSPENDED since ${when(o.suspension.since)}: ${o.suspension.reason}`;
  const lifted = o.lastLifted === null ? [] : [field('last suspension', `${when(o.lastLifted.suspendedAt)} to ${when(o.lastLifted.liftedAt)}: ${o.lastLifted.reason}`)];
  const tokens = o.usage.tokensPerDay.reduce((sum, d) => sum + d.count, 0);
  const errors = o.usage.errorsByCode.map((e) => `${e.code} ${e.count}`).join(', ') || 'none';
  return [
    `"${a.name}" by ${a.publisher}`,
    field('client id', a.id),
    field('type', a.spa ? 'single-page app (public)' : a.clientType),
    field('created', when(a.createdAt)),
    field('verified', a.verified ? 'yes' : 'no'),
    field('status', status),
    ...lifted,
    field('owners', o.owners),
    field('secrets', o.secrets.map((s) => `${s.id}  created ${when(s.createdAt)}  last used ${when(s.lastUsedAt)}${s.expiresAt === null ? '' : `  expires ${when(s.expiresAt)}`}`)),
    field('people', `${o.people} with a live authorization`),
    field('scopes', a.scopes.join(' ')),
    field('redirect URIs', a.redirectUris),
    field('back-channel logout', a.backchannelLogoutUri ?? 'none'),
    field(`last ${o.usage.days} days`, `${tokens} token response(s); errors: ${errors}`),
  ].join('\n');
}

const show = command<{ clientId: string }>({
  summary: 'show one service: owners, secrets, verification, suspension, people who authorized it, scopes, URIs, usage and error codes',
  flags: { 'client-id': { type: 'string', required: true, value: 'ID', description: 'the app to show' } },
  example: 'tessera app show --client-id 6f1c…',
  check: (flags) => ({ clientId: text('client-id', flags.required('client-id'), 200) }),
  async run(context, input) {
    const overview = await serviceOverview(readDeps(context), input.clientId);
    if (!overview) throw new CliError(`no app has client_id ${input.clientId}`);
    return { json: overviewJson(overview), text: overviewText(overview) };
  },
});

export const appReads = { list, show };
