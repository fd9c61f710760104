/**
 * The page a reset link opens (issue 15): the form for a new password (and the second factor when
 * the account has one), or why the link cannot be used. The link value travels in a hidden field,
 * never in another URL, and the page loads nothing but our stylesheet (no Referer leaves either:
 * every page sends Referrer-Policy: no-referrer).
 */
import type { LinkProblem } from '../../domain/account_links.ts';
import { Layout } from '../views/layout.tsx';
import { Messages } from '../views/messages.tsx';
import { FORGOT_PATH, RESET_PATH } from './paths.ts';

export const PASSWORDS_DIFFER = 'The two passwords are not the same.';
export const WRONG_RESET_CODE = 'That code is not right. Use the newest code from your app, or one of your recovery codes.';

export interface ResetFormProps {
  token: string;
  link: string;
  email: string;
  /** The account has two-step verification: the reset asks for a code too. */
  secondFactor: boolean;
  problem?: string | undefined;
}

export function ResetView({ token, link, email, secondFactor, problem }: ResetFormProps) {
  return (
    <Layout title="Choose a new password">
      <h1>Choose a new password</h1>
      <p>
        For <strong>{email}</strong>. Setting a new password signs you out everywhere.
      </p>
      <Messages problem={problem} />
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
        {secondFactor && (
          <label>
            Code from your authenticator app, or a recovery code
            <input type="text" name="code" autocomplete="one-time-code" required maxlength={64} />
          </label>
        )}
        <button type="submit">Set the new password</button>
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

/** A reset link that names a work account: there is no password here to reset. */
export function WorkAccountView({ directory }: { directory: string | null }) {
  return (
    <Layout title="This is a work account">
      <h1>This is a work account</h1>
      <p>
        It signs in through {directory ?? 'your company’s directory'}, and Tessera keeps no password for it. Change your password with your company’s own
        password reset, or ask your IT team.
      </p>
      <p>
        <a href="/login">Go to sign in</a>
      </p>
    </Layout>
  );
}
