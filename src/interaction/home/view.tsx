/** The signed-in home page (no pending authorization); the sign-out pages are in ../logout/view.tsx. */
import { Layout } from '../views/layout.tsx';

export interface SignOutFormProps {
  token: string;
}

export function SignOutForm({ token }: SignOutFormProps) {
  return (
    <form method="post" action="/logout/confirm">
      <input type="hidden" name="token" value={token} />
      <button type="submit">Sign out</button>
    </form>
  );
}

/** A service the person authorized, as the home page lists it. */
export interface HomeService {
  grantId: string;
  name: string;
  lastUsed: string;
  suspended: boolean;
}

export interface HomeProps {
  name: string;
  email: string;
  logoutToken: string;
  /** The newest few of the person's services, and how many there are in all. */
  services: HomeService[];
  serviceCount: number;
  orgs: { name: string; slug: string; role: string }[];
  events: { at: string; text: string }[];
}

/**
 * Issue 20: `/` for a signed-in person is their home: the services acting for them, their
 * organizations and their latest security events, each leading to the page where they act on it.
 */
export function HomeView(p: HomeProps) {
  return (
    <Layout title="Home" wide account={{ logoutToken: p.logoutToken }}>
      <h1>Welcome, {p.name}</h1>
      <p>
        You are signed in as <strong>{p.name}</strong> ({p.email}).
      </p>

      <h2>Services acting for you</h2>
      {p.services.length === 0 ? (
        <p>You have not authorized any service.</p>
      ) : (
        <ul class="home-list">
          {p.services.map((s) => (
            <li key={s.grantId}>
              <a href={`/profile/applications/${s.grantId}`}>{s.name}</a>
              {s.suspended && <strong class="badge">Suspended by the platform</strong>}
              <span class="hint"> · last used {s.lastUsed}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/profile/applications">{p.serviceCount > p.services.length ? `All ${p.serviceCount} in Manage applications` : 'Manage applications'}</a>
      </p>

      <h2>Your organizations</h2>
      {p.orgs.length === 0 ? (
        <p>You do not belong to any organization.</p>
      ) : (
        <ul class="home-list">
          {p.orgs.map((o) => (
            <li key={o.slug}>
              <a href={`/orgs/${o.slug}`}>{o.name}</a> <span class="hint">{o.role}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/orgs">Your organizations</a>
      </p>

      <h2>Recent security events</h2>
      {p.events.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul class="home-list">
          {p.events.map((e, i) => (
            <li key={i}>
              <time>{e.at}</time> {e.text}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/profile">Your profile and security</a>
      </p>
    </Layout>
  );
}
