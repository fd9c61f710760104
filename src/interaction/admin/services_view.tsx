/** The console's Services pages (issue 21): the search and one service with its actions. */
import type { ServiceRow, ServiceOverview } from '../../services/operator_reads.ts';
import { MAX_SUSPENSION_REASON } from '../../domain/app_suspensions.ts';
import { formatTime } from '../../domain/dates.ts';
import { AdminLayout, FilterSelect, Notice, SearchPage, type YesNo } from './layout.tsx';
import { ADMIN } from './paths.ts';

export interface ServiceSearchProps {
  logoutToken: string;
  query: string | undefined;
  suspended: YesNo;
  verified: YesNo;
  services: ServiceRow[];
  /** The next page's address, when there is one. */
  nextUrl: string | undefined;
}

export function ServiceSearchView(p: ServiceSearchProps) {
  const filters = (
    <>
      <FilterSelect name="suspended" label="Suspended" value={p.suspended} yes="Suspended" no="Not suspended" />
      <FilterSelect name="verified" label="Publisher" value={p.verified} yes="Verified" no="Not verified" />
    </>
  );
  const rows = p.services.map((s) => (
    <li key={s.clientId}>
      <a href={ADMIN.service(s.clientId)}>{s.name}</a>
      <span class="muted">{s.company}</span>
      {s.verified && <span class="verified">Verified</span>}
      {s.suspension && <span class="badge">Suspended</span>}
      <span class="muted admin-id">
        <code>{s.clientId}</code> · {s.people} {s.people === 1 ? 'person' : 'people'}
      </span>
    </li>
  ));
  return (
    <SearchPage title="Services" logoutToken={p.logoutToken} section="services" action={ADMIN.services} label="Name, publisher or client id" query={p.query} filters={filters} empty="No service matches." rows={rows} nextUrl={p.nextUrl} />
  );
}

export interface ServicePageProps {
  logoutToken: string;
  overview: ServiceOverview;
  token: string;
  notice: string | undefined;
  /** The reason field's problem, after a refused Suspend. */
  reasonError?: string | undefined;
}

function List({ items, empty }: { items: string[]; empty: string }) {
  return items.length === 0 ? (
    <span class="muted">{empty}</span>
  ) : (
    <ul>
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

export function ServicePageView({ logoutToken, overview, token, notice, reasonError }: ServicePageProps) {
  const { app, suspension, lastLifted } = overview;
  const tokens = overview.usage.tokensPerDay.reduce((sum, d) => sum + d.count, 0);
  return (
    <AdminLayout title={app.name} logoutToken={logoutToken} section="services">
      <p class="back">
        <a href={ADMIN.services}>All services</a>
      </p>
      <h1>
        {app.name}
        {suspension && <span class="badge">Suspended by the platform</span>}
      </h1>
      <Notice text={notice} />
      <dl class="facts">
        <dt>Client id</dt>
        <dd>
          <code>{app.id}</code>
        </dd>
        <dt>Publisher</dt>
        <dd>
          {app.publisher} {app.verified ? <span class="verified">Verified</span> : <span class="unverified">Not verified</span>}
        </dd>
        <dt>Owners</dt>
        <dd>
          <List items={overview.owners} empty="None" />
        </dd>
        <dt>People who authorized it</dt>
        <dd>{overview.people}</dd>
        <dt>Scopes</dt>
        <dd>
          <List items={app.scopes} empty="None" />
        </dd>
        <dt>Redirect URIs</dt>
        <dd>
          <List items={app.redirectUris} empty="None" />
        </dd>
        <dt>Registered</dt>
        <dd>{formatTime(app.createdAt)}</dd>
        <dt>Usage, {overview.usage.days} days</dt>
        <dd>{tokens} token responses</dd>
        <dt>Errors, {overview.usage.days} days</dt>
        <dd>
          <List items={overview.usage.errorsByCode.map((e) => `${e.code}: ${e.count}`)} empty="None" />
        </dd>
        <dt>Audit log</dt>
        <dd>
          <a href={ADMIN.auditOf({ service: app.id })}>Events about this service</a>
        </dd>
      </dl>

      <section aria-labelledby="suspension">
        <h2 id="suspension">Suspension</h2>
        {suspension ? (
          <>
            <p>
              Suspended by the platform since {formatTime(suspension.since)}. Its tokens, codes and sign-ins are refused everywhere; people keep
              their authorizations.
            </p>
            <p>
              <strong>Reason:</strong> {suspension.reason}
            </p>
            <form method="post" action={ADMIN.serviceAction(app.id, 'unsuspend')}>
              <input type="hidden" name="token" value={token} />
              <p class="hint">Unsuspending lets its refresh tokens work again; access tokens issued before the suspension stay refused.</p>
              <button type="submit">Unsuspend</button>
            </form>
          </>
        ) : (
          <>
            <p>
              Not suspended.
              {lastLifted && ` Last suspended ${formatTime(lastLifted.suspendedAt)} (“${lastLifted.reason}”), lifted ${formatTime(lastLifted.liftedAt)}.`}
            </p>
            <form method="post" action={ADMIN.serviceAction(app.id, 'suspend')}>
              <input type="hidden" name="token" value={token} />
              <label for="reason">Reason (shown to its owners)</label>
              <textarea
                id="reason"
                name="reason"
                required
                maxLength={MAX_SUSPENSION_REASON}
                rows={3}
                aria-invalid={reasonError !== undefined ? 'true' : undefined}
                aria-describedby={reasonError !== undefined ? 'reason-error' : undefined}
              />
              {reasonError !== undefined && (
                <p class="error" id="reason-error">
                  {reasonError}
                </p>
              )}
              <p class="hint">Suspending refuses its tokens, codes and sign-ins at once, on every node. People’s authorizations are kept.</p>
              <button type="submit" class="danger">
                Suspend
              </button>
            </form>
          </>
        )}
      </section>

      <section aria-labelledby="verification">
        <h2 id="verification">Verification</h2>
        <p>
          {app.verified
            ? 'The approval page shows this publisher as verified.'
            : 'The approval page warns that the platform has not verified who publishes this service.'}
        </p>
        <form method="post" action={ADMIN.serviceAction(app.id, app.verified ? 'unverify' : 'verify')}>
          <input type="hidden" name="token" value={token} />
          <button type="submit" class={app.verified ? 'secondary' : undefined}>
            {app.verified ? 'Withdraw the mark' : 'Verify publisher'}
          </button>
        </form>
      </section>
    </AdminLayout>
  );
}
