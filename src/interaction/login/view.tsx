/** The sign-in form. The same markup answers an unknown email and a wrong password (SECURITY 33). */
import { Layout } from '../views/layout.tsx';
import { SIGN_IN_PASSKEY } from '../passkey_paths.ts';

export const INCORRECT = 'Email or password is incorrect.';
/** Shown with status 429 when sign-in is throttled (SECURITY 32). */
export const TOO_MANY = 'Too many attempts. Wait a minute and try again.';

/** After sign-up, whether or not the email was new (SECURITY 33). */
export const ACCOUNT_READY = 'Your account is ready. We sent a link to your address to confirm it. Sign in to continue.';

/** After a password reset (issue 15). */
export const PASSWORD_WAS_RESET = 'Your password was changed. Sign in with it.';

/** When a sensitive change (client secrets, a change of address) needs a recent sign-in (SECURITY 51). */
export const SIGN_IN_AGAIN = 'Sign in again to continue: this change needs a recent sign-in.';

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
   * Email first (issue 3): the email was given and no directory serves its domain, so the
   * password is asked for next. `forced`: the person chose a password over their directory.
   */
  passwordStep?: { forced: boolean };
  /** Offer passkeys (issue 16): the button, and the email field's autofill. */
  passkeys?: boolean;
}

export const PASSWORD_NEXT = 'Enter your password to continue.';

export function SignInView({ token, interactionId, returnTo, appName, email, failed, throttled, notice, passwordStep, passkeys }: SignInViewProps) {
  const workQuery = interactionId === undefined ? '' : `?${new URLSearchParams({ interaction: interactionId })}`;
  return (
    <Layout title="Sign in" passkeys={passkeys}>
      <h1>Sign in</h1>
      {appName !== undefined && (
        <p>
          to continue to <strong>{appName}</strong>
        </p>
      )}
      {notice !== undefined && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {passwordStep !== undefined && !failed && !throttled && (
        <p class="notice" role="status">
          {PASSWORD_NEXT}
        </p>
      )}
      {(failed || throttled) && (
        <p class="error" role="alert">
          {throttled ? TOO_MANY : INCORRECT}
        </p>
      )}
      <form method="post" action="/login">
        {interactionId !== undefined && <input type="hidden" name="interaction" value={interactionId} />}
        {returnTo !== undefined && <input type="hidden" name="return_to" value={returnTo} />}
        <input type="hidden" name="token" value={token} />
        {passwordStep?.forced && <input type="hidden" name="method" value="password" />}
        <label>
          Email
          {/* "webauthn": the browser offers passkeys in this field's autofill (conditional mediation, issue 16). */}
          <input type="email" name="email" autocomplete={passkeys ? 'username webauthn' : 'username'} required value={email ?? ''} />
        </label>
        {/* Email first: left empty, the email alone decides the next step (a directory, or this password). */}
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required={passwordStep !== undefined} />
        </label>
        <button type="submit">Sign in</button>
      </form>
      {/* Issue 16: shown by our script (assets/passkeys.js) where the browser has WebAuthn; without script, nothing. */}
      {passkeys && (
        <>
          <p data-passkey-only hidden>
            <button
              type="button"
              class="secondary"
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
      <p>
        <a href="/forgot-password">Forgot your password?</a>
      </p>
      <p class="hint">With a work account, enter your work email and leave the password empty.</p>
      <p>
        <a href={`/login/directory${workQuery}`}>Sign in with your work account</a>
      </p>
      <p>
        New to Tessera?{' '}
        <a href={interactionId === undefined ? '/signup' : `/signup?${new URLSearchParams({ interaction: interactionId })}`}>Create account</a>
      </p>
    </Layout>
  );
}
