/** The sign-in form. The same markup answers an unknown email and a wrong password (SECURITY 33). */
import { Layout } from '../views/layout.tsx';

export const INCORRECT = 'Email or password is incorrect.';

export interface SignInViewProps {
  token: string;
  interactionId?: string;
  appName?: string;
  email?: string;
  failed?: boolean;
}

export function SignInView({ token, interactionId, appName, email, failed }: SignInViewProps) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {appName !== undefined && (
        <p>
          to continue to <strong>{appName}</strong>
        </p>
      )}
      {failed && (
        <p class="error" role="alert">
          {INCORRECT}
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
    </Layout>
  );
}
