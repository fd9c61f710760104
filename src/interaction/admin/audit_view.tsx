/**
 * The console's Audit log (issue 21): the filters, one page of events as a table (on a phone each
 * event folds into a card), the next page, and the export of everything the filters match.
 */
import type { ComponentChildren } from 'preact';
import type { AuditLogEntry } from '../../domain/audit_log.ts';
import { formatTime } from '../../domain/dates.ts';
import { SearchPage } from './layout.tsx';
import { ADMIN, type AuditLinkFilters } from './paths.ts';

export interface AuditLogProps {
  logoutToken: string;
  /** The filters as typed, shown back in the form. */
  filters: AuditLinkFilters;
  events: AuditLogEntry[];
  /** Operators' emails by account id, for the events they did. */
  actors: Map<string, string>;
  /** Why nothing can match, when a filter names no one ("No person has the email …"). */
  nothing: string | undefined;
  nextUrl: string | undefined;
}

function Field({ name, label, value, hint }: { name: keyof AuditLinkFilters; label: string; value: string | undefined; hint?: string }) {
  return (
    <label>
      {label}
      {hint !== undefined && <span class="hint"> ({hint})</span>}
      <input type="text" name={name} value={value ?? ''} maxLength={254} />
    </label>
  );
}

/** Who acted: an operator in the console (linked to their page), or the CLI. */
function ActorText({ detail, actors }: { detail: Record<string, unknown>; actors: Map<string, string> }) {
  const where = detail.via === 'admin' ? 'in the console' : detail.via === 'cli' ? 'with the CLI' : undefined;
  const id = typeof detail.actor === 'string' ? detail.actor : undefined;
  if (where === undefined && id === undefined) return null;
  return (
    <li>
      By {id !== undefined ? <a href={ADMIN.person(id)}>{actors.get(id) ?? id}</a> : 'an operator'} {where}
    </li>
  );
}

/** A detail's value in words: text as it is, a list of plain values joined, anything else as JSON. */
function valueText(value: unknown): ComponentChildren {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'none';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.length === 0 ? 'none' : value.join(', ');
  return <code>{JSON.stringify(value)}</code>;
}

/** The detail, one `name: value` per line; the actor said in words. */
function Detail({ detail, actors }: { detail: Record<string, unknown>; actors: Map<string, string> }) {
  const rest = Object.entries(detail).filter(([name]) => name !== 'via' && name !== 'actor');
  return (
    <ul class="audit-detail">
      <ActorText detail={detail} actors={actors} />
      {rest.map(([name, value]) => (
        <li key={name}>
          {name}: {valueText(value)}
        </li>
      ))}
    </ul>
  );
}

/** A cell with nothing in it: a dash in the table, left out of a phone's card. */
function Empty({ label }: { label: string }) {
  return (
    <td data-label={label} class="empty">
      <span class="muted">–</span>
    </td>
  );
}

function EventRow({ e, actors }: { e: AuditLogEntry; actors: Map<string, string> }) {
  return (
    <tr>
      <td data-label="Time">
        <time datetime={new Date(e.at * 1000).toISOString()}>{formatTime(e.at)}</time>
      </td>
      <td data-label="Event" class="type">
        <code>{e.type}</code>
      </td>
      {e.userId === null ? (
        <Empty label="Person" />
      ) : (
        <td data-label="Person">
          <a href={ADMIN.person(e.userId)}>{e.userEmail ?? e.userId}</a>
        </td>
      )}
      {e.appId === null ? (
        <Empty label="Service" />
      ) : (
        <td data-label="Service" class="id">
          <a href={ADMIN.service(e.appId)}>{e.appId}</a>
        </td>
      )}
      {e.ip === null ? <Empty label="Address" /> : <td data-label="Address">{e.ip}</td>}
      {Object.keys(e.detail).length === 0 ? (
        <Empty label="Detail" />
      ) : (
        <td data-label="Detail" class="detail">
          <Detail detail={e.detail} actors={actors} />
        </td>
      )}
    </tr>
  );
}

function EventTable(rows: ComponentChildren[]) {
  return (
    <table class="audit-events">
      <thead>
        <tr>
          <th scope="col">Time (UTC)</th>
          <th scope="col">Event</th>
          <th scope="col">Person</th>
          <th scope="col">Service</th>
          <th scope="col">Address</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>{rows}</tbody>
    </table>
  );
}

export function AuditLogView(p: AuditLogProps) {
  const f = p.filters;
  const filters = (
    <>
      <Field name="person" label="Person" hint="email" value={f.person} />
      <Field name="service" label="Service" hint="client id" value={f.service} />
      <Field name="type" label="Event type" hint="grant.revoked or grant." value={f.type} />
      <Field name="from" label="From" hint="UTC date" value={f.from} />
      <Field name="to" label="To" hint="UTC date or time" value={f.to} />
      <Field name="actor" label="Actor" hint="email or cli" value={f.actor} />
    </>
  );
  const tools = (
    <p>
      <a href={ADMIN.auditOf(f, ADMIN.auditExport)} download>
        Export JSON lines
      </a>{' '}
      <span class="hint">every event these filters match, newest first</span>
    </p>
  );
  const rows = p.events.map((e) => <EventRow key={e.id} e={e} actors={p.actors} />);
  return (
    <SearchPage
      title="Audit log"
      logoutToken={p.logoutToken}
      section="audit"
      action={ADMIN.audit}
      filters={filters}
      tools={tools}
      empty={p.nothing ?? 'No event matches.'}
      rows={rows}
      layout={EventTable}
      nextUrl={p.nextUrl}
    />
  );
}
