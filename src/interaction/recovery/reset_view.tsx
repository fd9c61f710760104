/**
 * The page a reset link opens (issue 15): the form for a new password (and the second factor when
 * the account has one: a code, or a passkey through our script), or why the link cannot be used.
 * The link value travels in a hidden field (and, for a passkey, in our script's same-origin JSON),
 * never in another URL, and the page loads nothing but our stylesheet and, when it offers a
 * passkey, our own script (no Referer leaves either: every page sends Referrer-Policy: no-referrer).
 */
import type { LinkProblem } from '../../domain/account_links.ts';
import { Layout } from '../views/layout.tsx';
import { useBrand } from '../views/brand.tsx';
import { Messages } from '../views/messages.tsx';
import { RESET_PASSKEY } from '../passkey_paths.ts';
import { FORGOT_PATH, RESET_PATH } from './paths.ts';

export const PASSWORDS_DIFFER = 'The two passwords are not the same.';
export const WRONG_RESET_CODE = 'That code is not right. Use the newest code from your app, or one of your recovery codes.';
export const USE_PASSKEY = 'Your account confirms a new password with one of its passkeys. Use the passkey button (it needs JavaScript).';

/** The second factors the reset asks for (either one will do); `passkey` only where passkeys can work here. */
export interface ResetFactors {
  code: boolean;
  passkey: boolean;
}

export interface ResetFormProps {
  token: string;
  link: string;
  email: string;
  /** The account has a second factor: the reset asks for a code, a passkey, or either. */
  factors: ResetFactors;
  problem?: string | undefined;
}

export function ResetView({ token, link, email, factors, problem }: ResetFormProps) {
  const { code, passkey } = factors;
  return (
    <Layout title="Choose a new password" passkeys={passkey}>
      <h1>Choose a new password</h1>
      <p>
        For <strong>{email}</strong>. Setting a new password signs you out everywhere.
      </p>
      {passkey && <p>{code ? 'Confirm it is you with one of your passkeys, or with a code.' : 'Confirm it is you with one of your passkeys.'}</p>}
      <Messages problem={problem} />
      {passkey && <p class="error" role="alert" data-passkey-status hidden />}
      <form method="post" action={RESET_PATH}>
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="link" value={link} />
        <label>
          New password
          <input type="password" name="password" autocomplete="new-password" required />
        </label>
        <label>
          Repeat the new password
          <input type="password" name="confirm" autocomplete="new-password" required />
        </label>
        {passkey && (
          // Shown by our script where the browser has WebAuthn (assets/passkeys.js): it sends the
          // new password with the passkey's answer, bound to this link (recovery/passkey_route.ts).
          <p data-passkey-only hidden>
            <button type="button" data-passkey="reset" data-options={RESET_PASSKEY.options} data-verify={RESET_PASSKEY.verify} hidden>
              Confirm with your passkey
            </button>
          </p>
        )}
        {code && (
          <label>
            Code from your authenticator app, or a recovery code
            <input type="text" name="code" autocomplete="one-time-code" required maxlength={64} />
          </label>
        )}
        {(code || !passkey) && (
          <button type="submit" class={passkey ? 'secondary' : undefined}>
            Set the new password
          </button>
        )}
        {passkey && !code && (
          <noscript>
            <p>Confirming with a passkey needs JavaScript. Turn it on, or use a browser that can.</p>
          </noscript>
        )}
      </form>
      <p class="hint">At least 8 characters; a few unrelated words make a strong one.</p>
    </Layout>
  );
}

/** Why a link cannot be used: a title and a sentence each, and the status it answers with. */
export const LINK_PROBLEMS: Record<LinkProblem, { status: number; title: string; message: string }> = {
  unknown: { status: 400, title: 'This link does not work', message: 'This password reset link is not valid. It may have been copied incompletely. Ask for a new one.' },
  used: { status: 410, title: 'This link was used already', message: 'Each password reset link works once. If you still need a new password, ask for a new link.' },
  expired: { status: 410, title: 'This link has expired', message: 'A password reset link works for 30 minutes. Ask for a new one.' },
  stale: { status: 410, title: 'This link no longer works', message: 'The password changed since this link was sent (or the address of the account did). If you still need a new password, ask for a new link.' },
};

export function LinkProblemView({ problem }: { problem: LinkProblem }) {
  const { title, message } = LINK_PROBLEMS[problem];
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href={FORGOT_PATH}>Ask for a new link</a>
      </p>
    </Layout>
  );
}

/**
 * A reset link that names an account signing in with a passkey and no password: a mailbox alone
 * does not open it (no such link is mailed; services/accounts/recovery.ts). An administrator can.
 */
export function PasskeyAccountView() {
  return (
    <Layout title="This account signs in with a passkey">
      <h1>This account signs in with a passkey</h1>
      <p>It has no password, so there is none to reset, and a link sent by mail cannot open it: only one of its passkeys can.</p>
      <p>
        Sign in with your passkey. If you lost every passkey of this account, ask your administrator: after checking who you are, they can remove the
        passkeys and send you a link to set a password.
      </p>
      <p>
        <a href="/login">Go to sign in</a>
      </p>
    </Layout>
  );
}

/** A reset link that names a work account: there is no password here to reset. */
export function WorkAccountView({ directory }: { directory: string | null }) {
  return (
    <Layout title="This is a work account">
      <h1>This is a work account</h1>
      <p>
        It signs in through {directory ?? 'your company’s directory'}, and {useBrand().name} keeps no password for it. Change your password with your company’s own
        password reset, or ask your IT team.
      </p>
      <p>
        <a href="/login">Go to sign in</a>
      </p>
    </Layout>
  );
}
