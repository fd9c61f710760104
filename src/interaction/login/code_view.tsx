/**
 * The second step of sign-in: a code from the authenticator app or a recovery code, and/or one of
 * the account's passkeys (issue 16), whichever the account has.
 */
import { Layout } from '../views/layout.tsx';
import { SECOND_FACTOR_PASSKEY } from '../passkey_paths.ts';

export const WRONG_CODE = 'That code is not right. Try the newest code from your app.';

/** What the account can give: a code (TOTP, recovery codes), a passkey, or both. */
export interface SecondFactors {
  code: boolean;
  passkey: boolean;
}

export function CodeView({ token, wrong, throttled, factors = { code: true, passkey: false } }: { token: string; wrong?: boolean; throttled?: string; factors?: SecondFactors }) {
  return (
    <Layout title="Two-step verification" passkeys={factors.passkey}>
      <h1>Two-step verification</h1>
      {factors.code && <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>}
      {factors.passkey && <p>{factors.code ? 'Or use' : 'Use'} one of your passkeys.</p>}
      {(wrong || throttled !== undefined) && (
        <p class="error" role="alert">
          {throttled ?? WRONG_CODE}
        </p>
      )}
      {factors.passkey && (
        <>
          {/* Shown by our script where the browser has WebAuthn (assets/passkeys.js). */}
          <p data-passkey-only hidden>
            <button type="button" data-passkey="second-factor" data-options={SECOND_FACTOR_PASSKEY.options} data-verify={SECOND_FACTOR_PASSKEY.verify} hidden>
              Use your passkey
            </button>
          </p>
          <p class="error" role="alert" data-passkey-status hidden />
          {!factors.code && (
            <noscript>
              <p>Using a passkey needs JavaScript. Turn it on, or use a browser that can.</p>
            </noscript>
          )}
        </>
      )}
      {factors.code && (
        <form method="post" action="/login/code">
          <input type="hidden" name="token" value={token} />
          <label>
            Code
            <input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength={64} />
          </label>
          <button type="submit" class={factors.passkey ? 'secondary' : undefined}>
            Verify
          </button>
        </form>
      )}
      <p>
        <a href="/login">Start again</a>
      </p>
    </Layout>
  );
}
