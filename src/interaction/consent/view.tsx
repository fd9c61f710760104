/**
 * The approval page (OIDC Core §3.1.2.4, SECURITY 27): who asks (name, publisher, verified or
 * not), what it will be able to do in plain sentences, where the person is sent back, who is
 * signed in, and two buttons. All of it is client-supplied text, escaped by preact.
 */
import { Layout } from '../views/layout.tsx';

export interface ScopeLine {
  scope: string;
  description: string;
  highPrivilege: boolean;
}

export interface ApprovalViewProps {
  appName: string;
  publisher: string;
  verified: boolean;
  /** The host (or scheme, for a native app) the response goes to. */
  returnTo: string;
  scopes: ScopeLine[];
  /** True when the app already holds a grant and this asks for more. */
  incremental: boolean;
  user: { name: string; email: string };
  decisionUrl: string;
  switchAccountUrl: string;
  csrf: string;
}

export function ApprovalView(props: ApprovalViewProps) {
  return (
    <Layout title={`Authorize ${props.appName}`}>
      <h1>
        <strong>{props.appName}</strong> wants to access your account
      </h1>
      <p class="publisher">
        Published by {props.publisher}{' '}
        {props.verified ? <span class="verified">Verified publisher</span> : <span class="unverified">Unverified publisher</span>}
      </p>
      {!props.verified && (
        <p class="warning" role="alert">
          Tessera has not verified who publishes this app. Approve only if you trust it.
        </p>
      )}
      <p class="account">
        Signed in as <strong>{props.user.name}</strong> ({props.user.email}). <a href={props.switchAccountUrl}>Not you? Switch account</a>
      </p>
      <h2>{props.incremental ? 'It asks for more access. In addition to what you allowed before, it will be able to:' : 'It will be able to:'}</h2>
      <ul class="scopes">
        {props.scopes.map((s) => (
          <li key={s.scope} class={s.highPrivilege ? 'high' : undefined}>
            {s.description}
            {s.highPrivilege && <strong class="badge">High privilege</strong>}
          </li>
        ))}
      </ul>
      <p>This lasts until you revoke it. Whatever you choose, you will be sent back to {props.returnTo}.</p>
      <form method="post" action={props.decisionUrl} class="decision">
        <input type="hidden" name="csrf" value={props.csrf} />
        <button type="submit" name="decision" value="approve">
          Approve
        </button>
        <button type="submit" name="decision" value="deny" class="secondary">
          Deny
        </button>
      </form>
    </Layout>
  );
}
