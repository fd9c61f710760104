/** The sign-up form: name, email, password, or a passkey instead of the password (issue 16). */
import { Layout } from '../views/layout.tsx';
import { SIGN_UP_PASSKEY } from '../passkey_paths.ts';

export interface SignUpViewProps {
  token: string;
  interactionId?: string;
  name?: string;
  email?: string;
  problem?: string;
  /** Offer "Create an account with a passkey" (issue 16): no password, the passkey is the way in. */
  passkeys?: boolean;
}

export function SignUpView({ token, interactionId, name, email, problem, passkeys }: SignUpViewProps) {
  const back = interactionId === undefined ? '/login' : `/login?${new URLSearchParams({ interaction: interactionId })}`;
  return (
    <Layout title="Create account" passkeys={passkeys}>
      <h1>Create your account</h1>
      {problem !== undefined && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <form method="post" action="/signup">
        {interactionId !== undefined && <input type="hidden" name="interaction" value={interactionId} />}
        <input type="hidden" name="token" value={token} />
        <label>
          Name
          <input type="text" name="name" autocomplete="name" required maxlength={100} value={name ?? ''} />
        </label>
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="new-password" required minlength={8} />
        </label>
        <p class="hint">At least 8 characters. Any characters; a long phrase is best.</p>
        <button type="submit">Create account</button>
        {/* Issue 16: shown by our script (assets/passkeys.js) where the browser has WebAuthn. */}
        {passkeys && (
          <div data-passkey-only hidden>
            <p class="hint">Or leave the password empty: your device keeps a passkey that signs you in.</p>
            <button type="button" class="secondary" data-passkey="sign-up" data-options={SIGN_UP_PASSKEY.options} data-verify={SIGN_UP_PASSKEY.verify} data-interaction={interactionId} hidden>
              Create an account with a passkey
            </button>
          </div>
        )}
      </form>
      {passkeys && <p class="error" role="alert" data-passkey-status hidden />}
      <p>
        Already have an account? <a href={back}>Sign in</a>
      </p>
    </Layout>
  );
}
