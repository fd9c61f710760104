/**
 * The device flow's pages (issue 17), built against device-code phishing (IETF cross-device
 * security BCP): the code is typed or, when it came filled in, compared with the device's; the
 * confirm page shows who asks (the app, its publisher and verification mark), what it asks in
 * the approval page's words (its own components), with organizations and lifetime, where the
 * request came from (address, user agent, how long ago), and a plain warning. Deny comes first,
 * has the focus, and looks exactly like Approve.
 */
import { AppIdentity, type AppIdentityProps } from '../views/app_identity.tsx';
import { Layout } from '../views/layout.tsx';
import { ApproveOrConfirm, LifetimeChoice, OrgChoice, ScopeList, STEP_UP_TEXT, UnverifiedWarning, type OrgLine, type ScopeLine } from '../consent/view.tsx';
import { DEVICE_DECISION_PATH, DEVICE_PATH } from './paths.ts';

export const PHISHING_WARNING = 'Only continue if you started this on a device you own, just now. If someone sent you this code, deny.';

export interface DeviceEntryProps {
  csrf: string;
  /** Filled in from verification_uri_complete: the person compares it with the device's. */
  prefilled?: string;
  problem?: string;
}

export function DeviceEntryView({ csrf, prefilled, problem }: DeviceEntryProps) {
  return (
    <Layout title="Connect a device">
      <h1>Connect a device</h1>
      {prefilled === undefined ? (
        <p>Enter the code shown on your device.</p>
      ) : (
        <p>Check that this code is exactly the one shown on your device.</p>
      )}
      <p class="warning">{PHISHING_WARNING}</p>
      {problem !== undefined && (
        <p class="error" role="alert" id="code-problem">
          {problem}
        </p>
      )}
      <form method="post" action={DEVICE_PATH}>
        <input type="hidden" name="token" value={csrf} />
        <label>
          Code
          <input
            type="text"
            name="user_code"
            value={prefilled ?? ''}
            required
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            maxLength={12}
            {...(problem !== undefined ? { 'aria-describedby': 'code-problem', 'aria-invalid': 'true' } : {})}
          />
        </label>
        <div class="decision">
          <button type="submit">Continue</button>
        </div>
      </form>
    </Layout>
  );
}

export interface DeviceConfirmProps {
  app: AppIdentityProps;
  userCode: string;
  scopes: ScopeLine[];
  incremental: boolean;
  orgs?: OrgLine[];
  allOrgs: boolean;
  currentEnd?: string;
  requester: { ip: string; userAgent: string | null; ago: string };
  user: { name: string; email: string };
  csrf: string;
  stepUp?: { reason: 'stale' | 'second_factor'; url: string };
}

export function DeviceConfirmView(props: DeviceConfirmProps) {
  const { app } = props;
  return (
    <Layout title={`Sign in ${app.name} on a device`} wide>
      <AppIdentity {...app}>
        <h1>
          Sign in to <strong>{app.name}</strong> on a device?
        </h1>
      </AppIdentity>
      <UnverifiedWarning verified={app.verified} />
      <p class="warning" role="alert" id="phishing-warning">
        <strong>{PHISHING_WARNING}</strong>
      </p>
      <section aria-labelledby="requester-title" class="requester">
        <h2 id="requester-title">Where the request came from</h2>
        <dl>
          <dt>Code</dt>
          <dd id="user-code">
            <code>{props.userCode}</code>
          </dd>
          <dt>Address</dt>
          <dd id="requester-ip">{props.requester.ip}</dd>
          <dt>Device</dt>
          <dd id="requester-agent">{props.requester.userAgent ?? 'Not known'}</dd>
          <dt>Asked</dt>
          <dd id="requester-age">{props.requester.ago}</dd>
        </dl>
      </section>
      <p class="account">
        Signed in as <strong>{props.user.name}</strong> ({props.user.email}).
      </p>
      <form method="post" action={DEVICE_DECISION_PATH} class="approval">
        <input type="hidden" name="token" value={props.csrf} />
        <input type="hidden" name="user_code" value={props.userCode} />
        <ScopeList scopes={props.scopes} incremental={props.incremental} fixed={props.stepUp !== undefined} />
        {props.stepUp === undefined && props.orgs !== undefined && <OrgChoice orgs={props.orgs} all={props.allOrgs} />}
        {props.stepUp === undefined && <LifetimeChoice currentEnd={props.currentEnd} />}
        <p class="return">
          You can review or revoke this access at any time under <a href="/profile/applications">Manage applications</a>.
        </p>
        {props.stepUp !== undefined && (
          <p class="warning" role="status">
            {STEP_UP_TEXT[props.stepUp.reason]}
          </p>
        )}
        {/* Deny first, focused, and styled like Approve: the safe answer is the easy one. */}
        <div class="decision">
          <button type="submit" name="decision" value="deny" autofocus>
            Deny
          </button>
          <ApproveOrConfirm stepUp={props.stepUp} />
        </div>
      </form>
    </Layout>
  );
}

export function DeviceDoneView({ approved, appName }: { approved: boolean; appName: string }) {
  return (
    <Layout title={approved ? 'Device connected' : 'Request denied'}>
      <h1>{approved ? 'Device connected' : 'Request denied'}</h1>
      <p id="device-outcome">
        {approved
          ? `${appName} is signed in on your device. You can close this page. To undo it, revoke ${appName} under Manage applications.`
          : `${appName} was not signed in. If someone sent you that code, you did the right thing.`}
      </p>
      <p>
        <a href="/profile/applications">Manage applications</a>
      </p>
    </Layout>
  );
}
