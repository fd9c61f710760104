/**
 * "Forgot your password?" (issue 15): the form, and the one answer every accepted request gets,
 * whatever the address names (SECURITY 33). The answer never repeats the address.
 */
import { Layout } from '../views/layout.tsx';
import { Messages } from '../views/messages.tsx';
import { FORGOT_PATH } from './paths.ts';

export const RESET_SENT = 'If an account uses this address, we sent it a link. It works for 30 minutes.';
export const INVALID_EMAIL = 'Enter a valid email address.';

export function ForgotView({ token, email, problem }: { token: string; email?: string | undefined; problem?: string | undefined }) {
  return (
    <Layout title="Reset your password">
      <h1>Reset your password</h1>
      <p>Enter the email address of your account. We will mail you a link to choose a new password.</p>
      <Messages problem={problem} />
      <form method="post" action={FORGOT_PATH}>
        <input type="hidden" name="token" value={token} />
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required maxlength={254} value={email ?? ''} />
        </label>
        <button type="submit">Send me a link</button>
      </form>
      <p class="hint">A work account has no password here: reset it with your company.</p>
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </Layout>
  );
}

/**
 * The answer. `directory`: the address's domain belongs to a company directory, which the domain
 * alone says (the sign-in page tells it too), so saying it reveals nothing about accounts.
 */
export function ResetSentView({ directory }: { directory?: { domain: string; name: string } | undefined }) {
  return (
    <Layout title="Check your email">
      <h1>Check your email</h1>
      <p class="notice" role="status">
        {RESET_SENT}
      </p>
      <p>It can take a few minutes to arrive; look in your spam folder too. The link works once.</p>
      {directory !== undefined && (
        <p>
          Addresses at {directory.domain} can be work accounts of {directory.name}. A work account has no password here: reset it with your company.
        </p>
      )}
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </Layout>
  );
}
