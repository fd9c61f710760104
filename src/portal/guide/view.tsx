/**
 * The developer guide the portal links to (issue 20): a short page of what is true of this
 * Tessera — where its endpoints are described, the rules a service lives by, and what to do about
 * each error code the usage panel counts. Public, like the API's page (/api/v1/docs): nothing on it
 * is anyone's. Definition lists, not tables, so each entry wraps on a 320 px screen.
 */
import { Layout } from '../../interaction/views/layout.tsx';
import { PORTAL } from '../pages/paths.ts';
import { API_ADVICE, TOKEN_ADVICE, type Advice } from './advice.ts';

function AdviceList({ prefix, entries }: { prefix: string; entries: readonly Advice[] }) {
  return (
    <dl class="advice">
      {entries.map((a) => (
        <>
          <dt id={`${prefix}-${a.code}`}>
            <code>{a.code}</code>
          </dt>
          <dd>
            {a.meaning} <strong>What to do:</strong> {a.todo}
          </dd>
        </>
      ))}
    </dl>
  );
}

export function GuideView() {
  return (
    <Layout title="Developer guide" wide>
      <nav class="portal-nav">
        <a href={PORTAL.apps}>Your apps</a>
      </nav>
      <h1>Developer guide</h1>
      <p>
        Your service signs people in and gets tokens for the platform API with OAuth 2.0 and OpenID Connect. Any certified client library finds every endpoint in the
        discovery document, <a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>; the platform API's operations and scopes are listed at{' '}
        <a href="/api/v1/docs">/api/v1/docs</a>.
      </p>
      <h2>The rules your service lives by</h2>
      <ul>
        <li>
          Register it under <a href={PORTAL.apps}>Your apps</a>. Its client secret is shown once; at most two are active, so you can switch to a new one before you revoke
          the old.
        </li>
        <li>Use the authorization code flow with PKCE (S256), and check state and nonce.</li>
        <li>
          The person may grant fewer scopes than you asked for: read the token response's <code>scope</code>. To get one later, send them through a new authorization
          that asks for it; the approval page shows only what is new.
        </li>
        <li>Refresh tokens rotate on every use: keep the new one. Sending a spent one again revokes the whole authorization.</li>
        <li>The person can revoke your service at any time: then forget its tokens and offer to connect again.</li>
      </ul>
      <h2 id="token-errors">Errors of the token endpoint</h2>
      <p>
        JSON with an <code>error</code> (RFC 6749 §5.2).
      </p>
      <AdviceList prefix="token" entries={TOKEN_ADVICE} />
      <h2 id="api-errors">Errors of the platform API</h2>
      <p>
        Problem documents (RFC 9457, <code>application/problem+json</code>) with a <code>code</code>; a 401 or 403 about the token also carries a{' '}
        <code>WWW-Authenticate</code> challenge (RFC 6750 §3).
      </p>
      <AdviceList prefix="api" entries={API_ADVICE} />
    </Layout>
  );
}
