/** The sign-in form. The same markup answers an unknown email and a wrong password (SECURITY 33). */
import { Layout } from '../views/layout.tsx';

export const INCORRECT = 'Email or password is incorrect.';
/** Shown with status 429 when sign-in is throttled (SECURITY 32). */
export const TOO_MANY = 'Too many attempts. Wait a minute and try again.';

/** After sign-up, whether or not the email was new (SECURITY 33). */
export const ACCOUNT_READY = 'Your account is ready. Sign in to continue.';

/** When a sensitive change (client secrets) needs a recent sign-in (SECURITY 51). */
export const SIGN_IN_AGAIN = 'Sign in again to continue: managing client secrets needs a recent sign-in.';

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
}

export const PASSWORD_NEXT = 'Enter your password to continue.';

export function SignInView({ token, interactionId, returnTo, appName, email, failed, throttled, notice, passwordStep }: SignInViewProps) {
  const workQuery = interactionId === undefined ? '' : `?${new URLSearchParams({ interaction: interactionId })}`;
  return (
    <Layout title="Sign in">
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
          <input type="email" name="email" autocomplete="username" required value={email ?? ''} />
        </label>
        {/* Email first: left empty, the email alone decides the next step (a directory, or this password). */}
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required={passwordStep !== undefined} />
        </label>
        <button type="submit">Sign in</button>
      </form>
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
