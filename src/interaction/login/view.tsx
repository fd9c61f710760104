/**
 * The sign-in page, email first (issue 3, issue 16), in three steps:
 * - `email`: the address alone (its field offers passkeys through the browser's autofill), and
 *   "Sign in with a passkey" (discoverable credentials: nothing to type);
 * - `password`: the address, kept, and its password — for every address that no company
 *   directory serves, known or not, with a passkey or not: the same markup answers an unknown
 *   address and a wrong password (SECURITY 33);
 * - `passkey`: only to confirm who is signed in (`reauth`), for an account with passkeys and no
 *   password, which the signed-in person's own session reveals to nobody else.
 */
import { Layout } from '../views/layout.tsx';
import { useBrand } from '../views/brand.tsx';
import { SIGN_IN_PASSKEY } from '../passkey_paths.ts';
import { SiteAddress } from '../views/site_address.tsx';

export const INCORRECT = 'Email or password is incorrect.';
/** Shown with status 429 when sign-in is throttled (SECURITY 32). */
export const TOO_MANY = 'Too many attempts. Wait a minute and try again.';

/** After sign-up, whether or not the email was new (SECURITY 33). */
export const ACCOUNT_READY = 'Your account is ready. We sent a link to your address to confirm it. Sign in to continue.';

/** After a password reset (issue 15). */
export const PASSWORD_WAS_RESET = 'Your password was changed. Sign in with it.';

/** When a sensitive change (client secrets, a change of address) needs a recent sign-in (SECURITY 51). */
export const SIGN_IN_AGAIN = 'Sign in again to continue: this change needs a recent sign-in.';

/** When an approval of high-privilege access needs a recent, strong sign-in (issue 16, step-up). */
export const CONFIRM_TO_APPROVE = 'Confirm it is you to approve: sign in again, with your second factor if you have one. Then you come back to the approval.';

export const PASSWORD_NEXT = 'Enter your password to continue.';

/** The password step says it to everybody (whether the address has a passkey is nobody's business, SECURITY 33). */
export const PASSKEY_INSTEAD = 'Made a passkey for this account? Use it instead of a password.';

export const PASSKEY_NEXT = 'Use your passkey to continue.';

/** Which step the page shows (see the module's comment). */
export type SignInStep = { kind: 'email' } | { kind: 'password'; forced: boolean } | { kind: 'passkey' };

export interface SignInViewProps {
  token: string;
  interactionId?: string;
  /** Where to go after signing in (a path on our origin), when it continues no authorization. */
  returnTo?: string;
  appName?: string;
  email?: string;
  failed?: boolean;
  throttled?: boolean;
  notice?: string;
  /**
   * `password`: the email was given and no directory serves its domain, so the password is asked
   * for next; `forced`: the person chose a password over their directory (SECURITY 48).
   */
  step: SignInStep;
  /** Offer passkeys (issue 16): the button, and the email field's autofill. */
  passkeys?: boolean;
  /** This Tessera's host, said in words (issue 20). */
  site: string;
}

/** The same page again, for the first step: another address, another way in. */
function startOverHref(interactionId: string | undefined, returnTo: string | undefined): string {
  const query = new URLSearchParams({ ...(interactionId === undefined ? {} : { interaction: interactionId }), ...(returnTo === undefined ? {} : { return_to: returnTo }) });
  return query.toString() === '' ? '/login' : `/login?${query}`;
}

export function SignInView({ token, interactionId, returnTo, appName, email, failed, throttled, notice, step, passkeys, site }: SignInViewProps) {
  const workQuery = interactionId === undefined ? '' : `?${new URLSearchParams({ interaction: interactionId })}`;
  const offerPasskey = passkeys === true;
  return (
    <Layout title="Sign in" passkeys={offerPasskey}>
      <h1>Sign in</h1>
      {appName !== undefined && (
        <p>
          to continue to <strong>{appName}</strong>
        </p>
      )}
      <SiteAddress host={site} />
      {notice !== undefined && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {step.kind !== 'email' && !failed && !throttled && (
        <p class="notice" role="status">
          {step.kind === 'passkey' ? PASSKEY_NEXT : PASSWORD_NEXT}
        </p>
      )}
      {(failed || throttled) && (
        <p class="error" role="alert">
          {throttled ? TOO_MANY : INCORRECT}
        </p>
      )}
      {step.kind === 'passkey' ? (
        <PasskeyStep email={email} />
      ) : (
        <form method="post" action="/login">
          {interactionId !== undefined && <input type="hidden" name="interaction" value={interactionId} />}
          {returnTo !== undefined && <input type="hidden" name="return_to" value={returnTo} />}
          <input type="hidden" name="token" value={token} />
          {step.kind === 'password' && step.forced && <input type="hidden" name="method" value="password" />}
          <label>
            Email
            {/* "webauthn": the browser offers passkeys in this field's autofill (conditional mediation, issue 16). */}
            <input type="email" name="email" autocomplete={offerPasskey ? 'username webauthn' : 'username'} required value={email ?? ''} />
          </label>
          {step.kind === 'password' && (
            <label>
              Password
              <input type="password" name="password" autocomplete="current-password" required />
            </label>
          )}
          {/* Without script, the email alone is posted and the server answers with the next step. */}
          <button type="submit">{step.kind === 'email' ? 'Continue' : 'Sign in'}</button>
        </form>
      )}
      {/* Issue 16: shown by our script (assets/passkeys.js) where the browser has WebAuthn; without script, nothing. */}
      {offerPasskey && (
        <>
          {step.kind === 'password' && (
            <p class="hint" data-passkey-only hidden>
              {PASSKEY_INSTEAD}
            </p>
          )}
          <p data-passkey-only hidden>
            <button
              type="button"
              class={step.kind === 'passkey' ? undefined : 'secondary'}
              data-passkey="sign-in"
              data-options={SIGN_IN_PASSKEY.options}
              data-verify={SIGN_IN_PASSKEY.verify}
              data-interaction={interactionId}
              data-return-to={returnTo}
              hidden
            >
              Sign in with a passkey
            </button>
          </p>
          <p class="error" role="alert" data-passkey-status hidden />
        </>
      )}
      {step.kind !== 'email' && (
        <p>
          <a href={startOverHref(interactionId, returnTo)}>{step.kind === 'passkey' ? 'Use another way' : 'Use another email'}</a>
        </p>
      )}
      {step.kind !== 'passkey' && (
        <p>
          <a href="/forgot-password">Forgot your password?</a>
        </p>
      )}
      {step.kind === 'email' && (
        <>
          <p class="hint">With a work account, enter your work email: we send you to your company to sign in.</p>
          <p>
            <a href={`/login/directory${workQuery}`}>Sign in with your work account</a>
          </p>
          <p>
            New to {useBrand().name}?{' '}
            <a href={interactionId === undefined ? '/signup' : `/signup?${new URLSearchParams({ interaction: interactionId })}`}>Create account</a>
          </p>
        </>
      )}
    </Layout>
  );
}

/** The passkey step: who is confirming, and that a passkey needs script (there is no form to post). */
function PasskeyStep({ email }: { email: string | undefined }) {
  return (
    <>
      {email !== undefined && (
        <p>
          Signed in as <strong>{email}</strong>.
        </p>
      )}
      <noscript>
        <p>Using a passkey needs JavaScript. Turn it on, or use a browser that can.</p>
      </noscript>
    </>
  );
}
