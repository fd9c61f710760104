/**
 * The console's Organizations pages (issue 21): the search, and one organization read-only: its
 * policy, members and the services acting in it, as its owners' settings page shows them (the same
 * reads, orgs/settings_model.ts). Operators do not change an organization here: its owners do.
 */
import type { OrgRow } from '../../services/operator_reads.ts';
import type { SettingsModel } from '../orgs/settings_model.ts';
import { MODE_TEXT, ServiceCells } from '../orgs/settings_view.tsx';
import { AdminLayout, SearchPage } from './layout.tsx';
import { ADMIN } from './paths.ts';

export interface OrgSearchProps {
  logoutToken: string;
  query: string | undefined;
  orgs: OrgRow[];
  /** The next page's address, when there is one. */
  nextUrl: string | undefined;
}

export function OrgSearchView(p: OrgSearchProps) {
  const rows = p.orgs.map((o) => (
    <li key={o.id}>
      <a href={ADMIN.org(o.slug)}>{o.name}</a>
      <span class="muted admin-id">
        <code>{o.slug}</code> · {o.members} {o.members === 1 ? 'member' : 'members'}
      </span>
    </li>
  ));
  return (
    <SearchPage title="Organizations" logoutToken={p.logoutToken} section="orgs" action={ADMIN.orgs} label="Name or slug" query={p.query} empty="No organization matches." rows={rows} nextUrl={p.nextUrl} />
  );
}

export interface OrgPageProps {
  logoutToken: string;
  org: { slug: string; name: string };
  model: Pick<SettingsModel, 'members' | 'mode' | 'requireSecondFactor' | 'withoutSecondFactor' | 'deviceFlowOff' | 'services'>;
}

export function OrgPageView({ logoutToken, org, model }: OrgPageProps) {
  const approved = model.services.filter((s) => s.rule === 'approved').map((s) => s.app.name);
  const blocked = model.services.filter((s) => s.rule === 'blocked').map((s) => s.app.name);
  return (
    <AdminLayout title={org.name} logoutToken={logoutToken} section="orgs">
      <p class="back">
        <a href={ADMIN.orgs}>All organizations</a>
      </p>
      {/* The owners' settings page's class: its tables fold the same way on a phone. */}
      <div class="org-page">
        <h1>{org.name}</h1>
        <p class="hint">Read-only: changes are made by the organization’s owners, on its settings page.</p>

        <section aria-labelledby="policy">
          <h2 id="policy">Policy</h2>
          <dl class="facts">
            <dt>Slug</dt>
            <dd>
              <code>{org.slug}</code>
            </dd>
            <dt>Third-party services</dt>
            <dd>{MODE_TEXT[model.mode].label}</dd>
            <dt>Approved services</dt>
            <dd>{approved.length === 0 ? 'None' : approved.join(', ')}</dd>
            <dt>Cut-off services</dt>
            <dd>{blocked.length === 0 ? 'None' : blocked.join(', ')}</dd>
            <dt>Second factor</dt>
            <dd>
              {model.requireSecondFactor
                ? `Required: services act only for members with one (${model.withoutSecondFactor.length} without)`
                : 'Not required'}
            </dd>
            <dt>Sign-ins on a device</dt>
            <dd>{model.deviceFlowOff ? 'Off: they leave this organization out' : 'Allowed'}</dd>
          </dl>
        </section>

        <section aria-labelledby="members">
          <h2 id="members">Members</h2>
          <table class="org-members">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {model.members.map((m) => (
                <tr key={m.userId}>
                  <td>
                    <a href={ADMIN.person(m.userId)}>{m.name}</a>
                    <br />
                    <span class="hint">{m.email}</span>
                  </td>
                  <td>
                    {m.role === 'owner' ? 'Owner' : 'Member'}
                    <br />
                    <span class="hint">since {m.since}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="services">
          <h2 id="services">Services acting in this organization</h2>
          {model.services.length === 0 ? (
            <p>None.</p>
          ) : (
            <table class="org-services">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">For</th>
                  <th scope="col">Activity</th>
                  <th scope="col">Standing</th>
                </tr>
              </thead>
              <tbody>
                {model.services.map((s) => (
                  <tr key={s.app.id}>
                    <ServiceCells s={s} mode={model.mode} name={<a href={ADMIN.service(s.app.id)}>{s.app.name}</a>} />
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </AdminLayout>
  );
}
