/** The profile's address parts (issue 15): the "Confirm your address" banner and "Change email address". */

export const RESEND_PATH = '/profile/email/verify';
export const CHANGE_EMAIL_PATH = '/profile/email';

export const WORK_ACCOUNT_ADDRESS = 'Your address comes from your company’s directory. Change it there; it is updated here at your next sign-in.';

/** Shown while a personal account's address is not proven; work accounts never get links. */
export function VerifyBanner({ email, token }: { email: string; token: string }) {
  return (
    <div class="warning">
      <p>
        <strong>Confirm your address.</strong> Open the link we mailed to {email}; if you have none, or it expired, ask for a new one. Until
        then, organizations cannot add you by this address and you cannot accept their invitations.
      </p>
      <form method="post" action={RESEND_PATH}>
        <input type="hidden" name="token" value={token} />
        <button type="submit" class="secondary">
          Send the link again
        </button>
      </form>
    </div>
  );
}

export function EmailSection({ workAccount, hasPassword, token }: { workAccount: boolean; hasPassword: boolean; token: string }) {
  if (workAccount) {
    return (
      <>
        <h2>Change email address</h2>
        <p>{WORK_ACCOUNT_ADDRESS}</p>
      </>
    );
  }
  if (!hasPassword) return null;
  return (
    <>
      <h2>Change email address</h2>
      <p class="hint">
        We send a link to the new address, and your address changes when you open it. Your current address gets a notice. This needs a
        sign-in within the last 10 minutes.
      </p>
      <form method="post" action={CHANGE_EMAIL_PATH}>
        <input type="hidden" name="token" value={token} />
        <label>
          New email address
          <input type="email" name="email" autocomplete="email" required maxlength={254} />
        </label>
        <label>
          Current password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Send a confirmation link</button>
      </form>
    </>
  );
}
