/** The sign-in form. The same markup answers an unknown email and a wrong password (SECURITY 33). */
import { Layout } from '../views/layout.tsx';

export const INCORRECT = 'Email or password is incorrect.';
/** Shown with status 429 when sign-in is throttled (SECURITY 32). */
export const TOO_MANY = 'Too many attempts. Wait a minute and try again.';

/** After sign-up, whether or not the email was new (SECURITY 33). */
export const ACCOUNT_READY = 'Your account is ready. Sign in to continue.';

export interface SignInViewProps {
  token: string;
  interactionId?: string;
  appName?: string;
  email?: string;
  failed?: boolean;
  throttled?: boolean;
  notice?: string;
}

export function SignInView({ token, interactionId, appName, email, failed, throttled, notice }: SignInViewProps) {
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
      {(failed || throttled) && (
        <p class="error" role="alert">
          {throttled ? TOO_MANY : INCORRECT}
        </p>
      )}
      <form method="post" action="/login">
        {interactionId !== undefined && <input type="hidden" name="interaction" value={interactionId} />}
        <input type="hidden" name="token" value={token} />
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <p>
        New to Tessera?{' '}
        <a href={interactionId === undefined ? '/signup' : `/signup?${new URLSearchParams({ interaction: interactionId })}`}>Create account</a>
      </p>
    </Layout>
  );
}
