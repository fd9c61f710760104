/** The profile page: who you are, your sessions, recent security events, and account changes. */
import { Layout } from '../views/layout.tsx';
import { Messages } from '../views/messages.tsx';
import { EmailSection, VerifyBanner } from './email_view.tsx';
import { SecondFactorNotice } from '../views/second_factor_notice.tsx';
import type { RequirementNotice } from '../orgs/requirement_notice.ts';

export interface SessionRow {
  handle: string;
  device: string;
  lastSeen: string;
  current: boolean;
}

export interface EventRow {
  at: string;
  text: string;
  ip: string | null;
}

export interface OrgRow {
  name: string;
  slug: string;
  role: string;
}

export interface ProfileViewProps {
  name: string;
  email: string;
  /** The person proved the address (issue 15); work accounts: their directory vouches for it. */
  emailVerified: boolean;
  workAccount: boolean;
  kind: string;
  /** Work accounts have none: their directory signs them in. */
  hasPassword: boolean;
  token: string;
  logoutToken: string;
  sessions: SessionRow[];
  events: EventRow[];
  orgs: OrgRow[];
  applications: number;
  totpOn: boolean;
  recoveryLeft: number;
  /** How many passkeys the account has (issue 16); undefined for a work account, which has none. */
  passkeys?: number | undefined;
  /** Organizations that require a second factor the person lacks (issue 16). */
  secondFactorNotice?: RequirementNotice | undefined;
  /** Issue 21: names of services the person authorized that the platform suspended. */
  suspendedApps?: string[];
  notice?: string;
  problem?: string;
}

export function ProfileView(p: ProfileViewProps) {
  return (
    <Layout title="Your profile" wide account={{ logoutToken: p.logoutToken }}>
      <h1>Your profile</h1>
      <Messages notice={p.notice} problem={p.problem} />
      {!p.emailVerified && !p.workAccount && <VerifyBanner email={p.email} token={p.token} />}
      <SecondFactorNotice notice={p.secondFactorNotice} />
      {(p.suspendedApps ?? []).map((name) => (
        <p key={name} class="notice" role="status">
          “{name}”, a service you authorized, has been suspended by the platform. It cannot use your account now. Your authorization is kept; you
          can revoke it in <a href="/profile/applications">Manage applications</a>.
        </p>
      ))}
      <dl>
        <dt>Name</dt>
        <dd>{p.name}</dd>
        <dt>Email</dt>
        <dd>
          {p.email}{' '}
          {p.emailVerified ? <span class="verified">Confirmed</span> : <span class="unverified">Not confirmed</span>}
        </dd>
        <dt>Account</dt>
        <dd>{p.kind}</dd>
      </dl>

      <h2>Applications</h2>
      <p>
        {p.applications === 0
          ? 'No application can act for you.'
          : `${p.applications} ${p.applications === 1 ? 'application can' : 'applications can'} act for you.`}{' '}
        <a href="/profile/applications">Manage applications</a>
      </p>

      <h2>Organizations</h2>
      {p.orgs.length === 0 ? (
        <p>You do not belong to any organization.</p>
      ) : (
        <ul class="orgs">
          {p.orgs.map((o) => (
            <li key={o.slug}>
              {o.name} <span class="role">{o.role}</span>
            </li>
          ))}
        </ul>
      )}

      <h2>Active sessions</h2>
      <ul class="sessions">
        {p.sessions.map((s) => (
          <li>
            {s.device} · last seen {s.lastSeen}
            {s.current ? (
              <strong> (this session)</strong>
            ) : (
              <form method="post" action="/profile/sessions/end" class="inline">
                <input type="hidden" name="token" value={p.token} />
                <input type="hidden" name="session" value={s.handle} />
                <button type="submit">Sign out</button>
              </form>
            )}
          </li>
        ))}
      </ul>

      <h2>Recent security events</h2>
      {p.events.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul class="events">
          {p.events.map((e) => (
            <li>
              {e.at} · {e.text}
              {e.ip !== null && ` · from ${e.ip}`}
            </li>
          ))}
        </ul>
      )}

      {p.passkeys !== undefined && (
        <>
          <h2>Passkeys</h2>
          <p>
            {p.passkeys === 0 ? 'None yet. A passkey signs you in with your device, without a password.' : `${p.passkeys} ${p.passkeys === 1 ? 'passkey' : 'passkeys'}.`}{' '}
            <a href="/profile/passkeys">Manage passkeys</a>
          </p>
        </>
      )}

      {p.hasPassword && (
        <>
          <h2 id="two-step">Two-step verification</h2>
          {p.totpOn ? (
            <>
              <p>
                On. Sign-in asks for a code from your authenticator app. {p.recoveryLeft} recovery codes left.
              </p>
              <form method="post" action="/profile/totp/disable">
                <input type="hidden" name="token" value={p.token} />
                <label>
                  Password
                  <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <label>
                  Code from your authenticator app, or a recovery code
                  <input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength={64} />
                </label>
                <button type="submit" class="secondary">
                  Turn off two-step verification
                </button>
              </form>
            </>
          ) : (
            <form method="post" action="/profile/totp/start">
              <p>Off. Add a code from an authenticator app to every sign-in.</p>
              <input type="hidden" name="token" value={p.token} />
              <button type="submit">Turn on two-step verification</button>
            </form>
          )}
        </>
      )}

      <h2>Change name</h2>
      <form method="post" action="/profile/name">
        <input type="hidden" name="token" value={p.token} />
        <label>
          Name
          <input type="text" name="name" autocomplete="name" required maxlength={100} value={p.name} />
        </label>
        <button type="submit">Save name</button>
      </form>

      <EmailSection workAccount={p.workAccount} hasPassword={p.hasPassword} token={p.token} />

      {p.hasPassword && (
        <>
          <h2>Change password</h2>
          <p class="hint">Changing your password signs you out everywhere else and disconnects apps until you sign in to them again.</p>
          <form method="post" action="/profile/password">
            <input type="hidden" name="token" value={p.token} />
            <label>
              Current password
              <input type="password" name="current" autocomplete="current-password" required />
            </label>
            <label>
              New password
              <input type="password" name="password" autocomplete="new-password" required minlength={8} />
            </label>
            <button type="submit">Change password</button>
          </form>
        </>
      )}
    </Layout>
  );
}
