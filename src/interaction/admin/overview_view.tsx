/** The console's Overview (issue 21): four day charts over the last days, and two short lists of services. */
import type { Overview, ServiceCount } from '../../services/operator_overview.ts';
import type { DayCount } from '../../domain/operator_overview.ts';
import { DayChart, type DayValue } from '../views/day_chart.tsx';
import { AdminLayout } from './layout.tsx';
import { ADMIN } from './paths.ts';

export interface OverviewProps {
  logoutToken: string;
  overview: Overview;
}

function values(counts: readonly DayCount[]): DayValue[] {
  return counts.map((c) => ({ day: c.day, value: c.count }));
}

function TopList({ id, title, rows, unit, empty }: { id: string; title: string; rows: ServiceCount[]; unit: [string, string]; empty: string }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <ol class={`admin-top ${id}`}>
          {rows.map((s) => (
            <li key={s.clientId}>
              <a href={ADMIN.service(s.clientId)}>{s.name}</a> <span class="muted">{`${s.count} ${s.count === 1 ? unit[0] : unit[1]}`}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function OverviewView({ logoutToken, overview: o }: OverviewProps) {
  const days = o.days.length;
  return (
    <AdminLayout title="Overview" logoutToken={logoutToken} section="overview">
      <h1>Overview</h1>
      <p class="hint">{`The last ${days} days, by UTC day (${o.days[0]} to ${o.days[days - 1]}).`}</p>
      <div class="admin-charts">
        <DayChart id="chart-sign-ins" label="Sign-ins per day" series={values(o.signIns)} />
        <DayChart id="chart-tokens" label="Tokens issued per day" series={values(o.tokensIssued)} />
        <DayChart id="chart-api-calls" label="API calls per day" series={values(o.apiCalls)} />
        <div>
          <DayChart id="chart-refusals" label="Refusals per day" series={values(o.refusals)} />
          <table class="day-chart-table refusal-codes">
            <caption>{`Refusals by error code, ${days} days`}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Count</th>
              </tr>
            </thead>
            <tbody>
              {o.refusalsByCode.length === 0 ? (
                <tr>
                  <td colSpan={2}>None</td>
                </tr>
              ) : (
                o.refusalsByCode.map((c) => (
                  <tr key={c.code}>
                    <td>
                      <code>{c.code}</code>
                    </td>
                    <td>{c.count}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>
      <TopList id="top-people" title="Services with the most people" rows={o.topByPeople} unit={['person', 'people']} empty="No service is authorized by anyone." />
      <TopList id="top-refusals" title="Services with the most refusals today" rows={o.topByRefusalsToday} unit={['refusal', 'refusals']} empty="No refusals today." />
    </AdminLayout>
  );
}
