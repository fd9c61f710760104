/** The second step of sign-in: a code from the authenticator app, or a recovery code. */
import { Layout } from '../views/layout.tsx';

export const WRONG_CODE = 'That code is not right. Try the newest code from your app.';

export function CodeView({ token, wrong, throttled }: { token: string; wrong?: boolean; throttled?: string }) {
  return (
    <Layout title="Two-step verification">
      <h1>Two-step verification</h1>
      <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      {(wrong || throttled !== undefined) && (
        <p class="error" role="alert">
          {throttled ?? WRONG_CODE}
        </p>
      )}
      <form method="post" action="/login/code">
        <input type="hidden" name="token" value={token} />
        <label>
          Code
          <input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength={64} />
        </label>
        <button type="submit">Verify</button>
      </form>
      <p>
        <a href="/login">Start again</a>
      </p>
    </Layout>
  );
}
