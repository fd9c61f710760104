/**
 * "This service has not been verified" (issue 20, "Friction where the risk is"): the page an
 * unverified publisher's request for high-privilege scopes shows before the approval page
 * (services/unverified_warning.ts), after Google's unverified-app screen. "Back to safety" is the
 * primary button; it is the approval form's Deny, so the service gets access_denied at its
 * registered redirect URI (RFC 6749 §4.1.2.1), exactly as when the person denies. We chose that
 * over sending the person to "Manage applications": the redirect URI is registered and checked for
 * this request, it is where the person came from, and the service learns the request ended instead
 * of waiting on it. "Continue to <service>" is secondary and looks like a link: it records that the
 * person passed the warning, then the approval page shows as usual.
 */
import { useBrand } from '../views/brand.tsx';
import { AppIdentity, type AppIdentityProps } from '../views/app_identity.tsx';
import { Layout } from '../views/layout.tsx';
import { SiteAddress } from '../views/site_address.tsx';
import { ScopeLines } from '../views/scope_lines.tsx';
import type { ScopeLine } from './view.tsx';

/** A form this page posts: where, and its token. */
export interface PageForm {
  url: string;
  token: string;
}

export interface WarningViewProps {
  app: AppIdentityProps;
  site: string;
  /** The host (or scheme, for a native app) "Back to safety" sends the person to. */
  returnTo: string;
  /** The high-privilege scopes asked for. */
  scopes: ScopeLine[];
  user: { name: string; email: string };
  /** "Back to safety": the approval form, posted with decision=deny. */
  back: PageForm;
  /** "Continue to <service>". */
  proceed: PageForm;
}

export function WarningView(props: WarningViewProps) {
  const { app } = props;
  const brand = useBrand();
  return (
    <Layout title="This service has not been verified" wide>
      <AppIdentity {...app}>
        <h1>This service has not been verified</h1>
      </AppIdentity>
      <SiteAddress host={props.site} />
      <p class="warning" role="alert">
        <strong>{app.name}</strong> asks for high-privilege access to your {brand.name} account, and {brand.name} has not verified that it is published by{' '}
        <strong>{app.publisher}</strong>. A service that is not what it claims could use this access to change or delete your work.
      </p>
      <p>It asks to:</p>
      <ScopeLines scopes={props.scopes} />
      <p>
        Continue only if you know the service and who makes it. Signed in as <strong>{props.user.name}</strong> ({props.user.email}).
      </p>
      <form method="post" action={props.back.url} class="decision">
        <input type="hidden" name="token" value={props.back.token} />
        <button type="submit" name="decision" value="deny">
          Back to safety
        </button>
      </form>
      <p class="hint">“Back to safety” tells {app.name} you did not allow it and sends you back to <strong>{props.returnTo}</strong>.</p>
      <form method="post" action={props.proceed.url} class="continue-unverified">
        <input type="hidden" name="token" value={props.proceed.token} />
        <button type="submit" class="link">
          Continue to {app.name}
        </button>
      </form>
    </Layout>
  );
}
