/**
 * `tessera user list` and `tessera user show` (issue 21): the operator's reads of people, through
 * services/operator_reads.ts like the /admin console's People page. Read only.
 * @module
 */
import { command } from './command.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { PAGE_FLAGS, pageInput, pageLines, pageText, shellWord, table, when, type PageInput } from './pages.ts';
import { PERSON_EVENTS, personOverview, searchPeople, type PersonDetails, type PersonRow } from '../services/operator_reads.ts';

function readDeps(context: CliContext) {
  return { stores: context.stores, clock: { now: context.now } };
}

function personJson(p: PersonRow) {
  return {
    id: p.id,
    email: p.email,
    name: p.name,
    kind: p.kind,
    created_at: p.createdAt,
    disabled_at: p.disabledAt,
    platform_operator_at: p.platformOperatorAt,
    last_sign_in_at: p.lastSignInAt,
  };
}

function status(p: PersonRow): string {
  return [p.disabledAt === null ? 'enabled' : 'disabled', ...(p.platformOperatorAt === null ? [] : ['operator'])].join(', ');
}

const list = command<PageInput & { disabled: boolean; operators: boolean }>({
  summary: 'list people, newest first: search by email or name, only disabled ones or platform operators; pages with --after',
  flags: {
    query: { type: 'string', value: 'TEXT', description: 'part of the email or name, any case, taken literally' },
    disabled: { type: 'boolean', description: 'only disabled accounts' },
    operators: { type: 'boolean', description: 'only platform operators (tessera user admin)' },
    ...PAGE_FLAGS,
  },
  example: 'tessera user list --query alice --limit 20',
  check: (flags) => ({ ...pageInput(flags), disabled: flags.boolean('disabled'), operators: flags.boolean('operators') }),
  async run(context, input) {
    // An absent flag means no filter, not "only those without".
    const { disabled, operators, ...page } = input;
    const { people, next } = await searchPeople(readDeps(context), { ...page, ...(disabled ? { disabled } : {}), ...(operators ? { operators } : {}) });
    const body = table(
      ['EMAIL', 'NAME', 'KIND', 'CREATED', 'LAST SIGN-IN', 'STATUS', 'ID'],
      people.map((p) => [p.email, p.name, p.kind, when(p.createdAt), when(p.lastSignInAt), status(p), p.id]),
    );
    const again = ['tessera user list', ...(input.query === undefined ? [] : ['--query', shellWord(input.query)]), ...(input.disabled ? ['--disabled'] : []), ...(input.operators ? ['--operators'] : []), '--limit', String(input.limit)].join(' ');
    return { jsonLines: pageLines(people.map(personJson), next), text: pageText(body, people.length, 'no matching people', next, again) };
  },
});

function detailsJson(d: PersonDetails) {
  return {
    ...personJson(d.person),
    email_verified_at: d.person.emailVerifiedAt,
    sessions: d.sessions.map((s) => ({ id_prefix: s.idPrefix, created_at: s.createdAt, last_seen_at: s.lastSeenAt, ip: s.ip, user_agent: s.userAgent, amr: s.amr })),
    grants: d.grants.map((g) => ({ client_id: g.clientId, app_name: g.appName, scopes: g.scopes, orgs: g.orgs, created_at: g.createdAt, last_used_at: g.lastUsedAt })),
    factors: {
      password: d.factors.password,
      totp: d.factors.totp,
      recovery_codes_left: d.factors.recoveryCodesLeft,
      passkeys: d.factors.passkeys.map((p) => ({ name: p.name, created_at: p.createdAt, last_used_at: p.lastUsedAt })),
    },
    organizations: d.organizations,
    events: d.events.map((e) => ({ id: e.id, at: e.at, type: e.type, app_id: e.appId, ip: e.ip, detail: e.detail })),
  };
}

function section(title: string, lines: string[], none: string): string {
  return [title, ...(lines.length === 0 ? [`  ${none}`] : lines.map((l) => `  ${l}`))].join('\n');
}

function detailsText(d: PersonDetails): string {
  const p = d.person;
  const f = d.factors;
  const head = [
    `${p.name} <${p.email}>`,
    `  id:            ${p.id}`,
    `  kind:          ${p.kind}`,
    `  created:       ${when(p.createdAt)}`,
    `  status:        ${p.disabledAt === null ? 'enabled' : `disabled since ${when(p.disabledAt)}`}`,
    `  operator:      ${p.platformOperatorAt === null ? 'no' : `platform operator since ${when(p.platformOperatorAt)}`}`,
    `  email:         ${p.emailVerifiedAt === null ? 'not verified' : `verified ${when(p.emailVerifiedAt)}`}`,
    `  last sign-in:  ${p.lastSignInAt === null ? 'never (or purged)' : when(p.lastSignInAt)}`,
  ].join('\n');
  const passkeys = f.passkeys.length === 0 ? 'none' : f.passkeys.map((k) => `"${k.name}" (added ${when(k.createdAt)}, last used ${when(k.lastUsedAt)})`).join(', ');
  return [
    head,
    section(`Sessions (${d.sessions.length} live)`, d.sessions.map((s) => `${s.idPrefix}  signed in ${when(s.createdAt)}  last seen ${when(s.lastSeenAt)}  ip ${s.ip ?? '-'}  amr ${s.amr.join(' ') || '-'}  ${s.userAgent ?? '-'}`), 'none'),
    section(
      `Authorized services (${d.grants.length})`,
      d.grants.map((g) => `${g.appName} (${g.clientId})  scopes: ${g.scopes.join(' ')}  orgs: ${g.orgs === null ? 'all' : g.orgs.map((o) => o.name).join(', ') || 'none'}  approved ${when(g.createdAt)}  last used ${when(g.lastUsedAt)}`),
      'none',
    ),
    section('Factors', [`password: ${f.password ? 'set' : 'none'}`, `two-step (TOTP): ${f.totp ? 'on' : 'off'}`, `recovery codes left: ${f.recoveryCodesLeft}`, `passkeys: ${passkeys}`], ''),
    section('Organizations', d.organizations.map((o) => `${o.slug} (${o.name})  ${o.role}`), 'none'),
    section(`Recent security events (newest ${PERSON_EVENTS})`, d.events.map((e) => `${when(e.at)}  ${e.type}${e.appId ? `  app=${e.appId}` : ''}${e.ip ? `  ip=${e.ip}` : ''}`), 'none'),
  ].join('\n\n');
}

type ShowInput = { email: string } | { id: string };

const show = command<ShowInput>({
  summary: 'show one person: sessions, authorized services, factors, organizations, recent security events',
  flags: {
    email: { type: 'string', value: 'EMAIL', description: 'a personal account by its address' },
    id: { type: 'string', value: 'ID', description: 'any account (work accounts too) by id' },
  },
  example: 'tessera user show --email alice@example.com',
  check(flags) {
    const byEmail = flags.string('email');
    const byId = flags.string('id');
    if ((byEmail === undefined) === (byId === undefined)) throw new UsageError('tessera user show needs exactly one of --email and --id');
    return byEmail !== undefined ? { email: email('email', byEmail) } : { id: text('id', byId!, 200) };
  },
  async run(context, input) {
    let id: string;
    if ('email' in input) {
      // SECURITY 48: an email finds the personal account only; a work account sharing it is shown by id.
      const user = await context.stores.users.findByEmail(input.email);
      if (!user) throw new CliError(`no personal account with email ${input.email}; a work account is shown with --id (tessera user list --query ${shellWord(input.email)})`);
      id = user.id;
    } else id = input.id;
    const details = await personOverview(readDeps(context), id);
    if (!details) throw new CliError('email' in input ? `no personal account with email ${input.email}` : `no account with id ${input.id}`);
    return { json: detailsJson(details), text: detailsText(details) };
  },
});

export const userReads = { list, show };
