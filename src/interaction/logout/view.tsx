/**
 * The sign-out pages (OIDC RP-Initiated Logout §2, §3; SECURITY 38): the confirmation, always
 * asked before a session ends, naming the service that asked; "You are signed out"; and the
 * refusal of a request whose hint or return address does not check out. Return addresses shown
 * or linked here are only ever ones registered for the service (logout_request.ts).
 */
import type { App } from '../../domain/apps.ts';
import { Layout } from '../views/layout.tsx';
import { useBrand } from '../views/brand.tsx';
import { AppIdentity, appIdentity, hostOf } from '../views/app_identity.tsx';
import type { LogoutProblem, LogoutReturn } from './logout_request.ts';
import { returnUrl } from './logout_request.ts';

export interface LogoutConfirmProps {
  email: string;
  token: string;
  issuer: string;
  app?: App | undefined;
  back?: LogoutReturn | undefined;
}

/** The POST form: our token plus the return parameters, which the POST checks again. */
function ConfirmForm({ token, back }: { token: string; back?: LogoutReturn | undefined }) {
  return (
    <form method="post" action="/logout/confirm">
      <input type="hidden" name="token" value={token} />
      {back && <input type="hidden" name="client_id" value={back.clientId} />}
      {back && <input type="hidden" name="post_logout_redirect_uri" value={back.uri} />}
      {back?.state !== undefined && <input type="hidden" name="state" value={back.state} />}
      <button type="submit">Sign out</button>
    </form>
  );
}

export function LogoutConfirmView({ email, token, issuer, app, back }: LogoutConfirmProps) {
  return (
    <Layout title="Sign out">
      {app && <AppIdentity {...appIdentity(issuer, app)} />}
      <h1>Sign out of {useBrand().name}?</h1>
      {app && <p>{app.name} asks you to sign out.</p>}
      <p>You are signed in as {email}.</p>
      {back && <p>After signing out you will be sent back to {hostOf(back.uri)}.</p>}
      <ConfirmForm token={token} back={back} />
    </Layout>
  );
}

export function SignedOutView({ issuer, app, back }: { issuer: string; app?: App | undefined; back?: LogoutReturn | undefined }) {
  return (
    <Layout title="Signed out">
      {app && <AppIdentity {...appIdentity(issuer, app)} />}
      <h1>You are signed out</h1>
      {back ? (
        <p>
          <a href={returnUrl(back)} id="continue">
            Continue to {hostOf(back.uri)}
          </a>
        </p>
      ) : (
        <p>
          <a href="/login">Sign in again</a>
        </p>
      )}
    </Layout>
  );
}

/** Why, naming the platform as people know it (PRODUCT_NAME). */
const PROBLEMS: Record<LogoutProblem, (product: string) => string> = {
  invalid_request: () => 'The sign-out request is malformed.',
  invalid_hint: (product) => `The sign-out request carries an ID token that ${product} did not issue, or that was altered. You will not be sent back to the service.`,
  client_mismatch: () => 'The sign-out request names two different services. You will not be sent back to either.',
  hint_required: (product) => `The service asked ${product} to send you back after signing out, but did not identify itself with an ID token, so ${product} will not send you there.`,
  unknown_client: (product) => `The service that sent this sign-out request is not registered with ${product}.`,
  unregistered_uri: (product) => `The return address in this sign-out request is not registered for the service, so ${product} will not send you there.`,
};

/** A refused request: why, and, for someone signed in, a plain sign-out that sends no one anywhere. */
export function LogoutProblemView({ problem, token }: { problem: LogoutProblem; token?: string | undefined }) {
  const product = useBrand().name;
  return (
    <Layout title="Sign-out request refused">
      <h1>This sign-out request cannot be completed</h1>
      <p id="problem">{PROBLEMS[problem](product)}</p>
      {token !== undefined && (
        <>
          <p>You can still sign out of {product}.</p>
          <ConfirmForm token={token} />
        </>
      )}
    </Layout>
  );
}
