/** The console's People pages (issue 21): the search and one person with their actions. */
import type { PersonDetails, PersonRow } from '../../services/operator_reads.ts';
import { formatTime } from '../../domain/dates.ts';
import { eventText } from '../profile/events.ts';
import { ownEntry } from '../../domain/lookup.ts';
import { AdminLayout, FilterSelect, Notice, SearchPage, type YesNo } from './layout.tsx';
import { ADMIN, type PersonAction } from './paths.ts';

/** Events an operator sees that the person's own profile does not list (profile/events.ts has the rest). */
const OPERATOR_EVENT_TEXT: Record<string, string> = {
  'user.created': 'Account created',
  'user.disabled': 'Account disabled',
  'user.enabled': 'Account enabled',
  'user.sessions_ended': 'Every session ended',
  'user.operator_granted': 'Made a platform operator',
  'user.operator_revoked': 'No longer a platform operator',
};

function operatorEventText(type: string, detail: Record<string, unknown>): string {
  const text = ownEntry(OPERATOR_EVENT_TEXT, type) ?? eventText(type, detail);
  return detail.via === 'admin' ? `${text}, from the operator console` : detail.via === 'cli' ? `${text}, from the CLI` : text;
}

export interface PeopleSearchProps {
  logoutToken: string;
  query: string | undefined;
  disabled: YesNo;
  operators: YesNo;
  people: PersonRow[];
  nextUrl: string | undefined;
}

export function PeopleSearchView(p: PeopleSearchProps) {
  const filters = (
    <>
      <FilterSelect name="disabled" label="Account" value={p.disabled} yes="Disabled" no="Enabled" />
      <FilterSelect name="operators" label="Platform operator" value={p.operators} yes="Operators" no="Not operators" />
    </>
  );
  const rows = p.people.map((person) => (
    <li key={person.id}>
      <a href={ADMIN.person(person.id)}>{person.email}</a>
      <span class="muted">{person.name}</span>
      {person.kind === 'work' && <span class="role">Work account</span>}
      {person.platformOperatorAt !== null && <span class="role">Operator</span>}
      {person.disabledAt !== null && <span class="badge">Disabled</span>}
      <span class="muted admin-id">{person.lastSignInAt === null ? 'No recent sign-in' : `Signed in ${formatTime(person.lastSignInAt)}`}</span>
    </li>
  ));
  return (
    <SearchPage title="People" logoutToken={p.logoutToken} section="people" action={ADMIN.people} label="Email or name" query={p.query} filters={filters} empty="No one matches." rows={rows} nextUrl={p.nextUrl} />
  );
}

export interface PersonPageProps {
  logoutToken: string;
  details: PersonDetails;
  token: string;
  notice: string | undefined;
}

function ActionForm({ id, action, token, label, hint, danger }: { id: string; action: PersonAction; token: string; label: string; hint: string; danger?: boolean }) {
  return (
    <form method="post" action={ADMIN.personAction(id, action)}>
      <input type="hidden" name="token" value={token} />
      <p class="hint">{hint}</p>
      <button type="submit" class={danger ? 'danger' : undefined}>
        {label}
      </button>
    </form>
  );
}

export function PersonPageView({ logoutToken, details, token, notice }: PersonPageProps) {
  const { person, sessions, grants, factors, organizations, events } = details;
  const hasFactor = factors.totp || factors.passkeys.length > 0;
  return (
    <AdminLayout title={person.email} logoutToken={logoutToken} section="people">
      <p class="back">
        <a href={ADMIN.people}>All people</a>
      </p>
      <h1>
        {person.name}
        {person.disabledAt !== null && <span class="badge">Disabled</span>}
      </h1>
      <Notice text={notice} />
      <dl class="facts">
        <dt>Email</dt>
        <dd>
          {person.email} {person.emailVerifiedAt === null ? <span class="muted">(not confirmed)</span> : <span class="muted">(confirmed)</span>}
        </dd>
        <dt>Account</dt>
        <dd>{person.kind === 'work' ? 'Work account (company directory)' : 'Personal account'}</dd>
        <dt>Id</dt>
        <dd>
          <code>{person.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(person.createdAt)}</dd>
        {person.platformOperatorAt !== null && (
          <>
            <dt>Platform operator</dt>
            <dd>since {formatTime(person.platformOperatorAt)}</dd>
          </>
        )}
        {person.disabledAt !== null && (
          <>
            <dt>Disabled</dt>
            <dd>{formatTime(person.disabledAt)}</dd>
          </>
        )}
        <dt>Factors</dt>
        <dd>
          {[
            factors.password ? 'Password' : 'No password',
            factors.totp ? `Two-step verification (${factors.recoveryCodesLeft} recovery codes left)` : 'No two-step verification',
            `${factors.passkeys.length} passkey(s)`,
          ].join(' · ')}
        </dd>
        <dt>Organizations</dt>
        <dd>{organizations.length === 0 ? <span class="muted">None</span> : organizations.map((o) => `${o.name} (${o.role})`).join(', ')}</dd>
      </dl>

      <section aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        {sessions.length === 0 ? (
          <p class="muted">No live session.</p>
        ) : (
          <ul class="sessions">
            {sessions.map((s) => (
              <li key={s.idPrefix}>
                {s.userAgent ?? 'Unknown browser'} · {s.ip ?? 'unknown address'} · signed in {formatTime(s.createdAt)} ({s.amr.join(', ')}) · last seen{' '}
                {formatTime(s.lastSeenAt)}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="grants">
        <h2 id="grants">Authorized services</h2>
        {grants.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="sessions">
            {grants.map((g) => (
              <li key={g.clientId}>
                <a href={ADMIN.service(g.clientId)}>{g.appName}</a>: {g.scopes.join(' ')} · {g.orgs === null ? 'every organization' : g.orgs.map((o) => o.name).join(', ')} ·
                approved {formatTime(g.createdAt)}
                {g.lastUsedAt !== null && ` · last used ${formatTime(g.lastUsedAt)}`}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="events">
        <h2 id="events">Recent security events</h2>
        <p>
          <a href={ADMIN.auditOf({ person: person.email })}>Every event about this person in the audit log</a>
        </p>
        {events.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="events">
            {events.map((e) => (
              <li key={e.id}>
                {formatTime(e.at)}: {operatorEventText(e.type, e.detail)}
                {e.ip !== null && ` (${e.ip})`}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        {person.disabledAt === null ? (
          <ActionForm
            id={person.id}
            action="disable"
            token={token}
            label="Disable the account"
            hint="No more sign-in; every session ends and every service it authorized loses its tokens at once."
            danger
          />
        ) : (
          <ActionForm id={person.id} action="enable" token={token} label="Enable the account" hint="Sign-in works again; revoked authorizations stay revoked." />
        )}
        {hasFactor && (
          <ActionForm
            id={person.id}
            action="reset-second-factor"
            token={token}
            label="Reset second factor"
            hint="Removes two-step verification, recovery codes and passkeys, for a person who lost them; they are mailed a notice."
            danger
          />
        )}
        {sessions.length > 0 && (
          <ActionForm id={person.id} action="end-sessions" token={token} label="End all sessions" hint="Signs the person out on every device." />
        )}
      </section>
    </AdminLayout>
  );
}
