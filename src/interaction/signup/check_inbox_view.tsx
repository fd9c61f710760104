/**
 * "Check your inbox" (issue 20): what POST /signup answers, the same for a new address and for one
 * that has an account (SECURITY 33), so it says only what the person typed and what we promise:
 * the address, how long the link lasts, what opening it in this browser does, and what to do when
 * no mail comes. Signed-out people cannot ask for the link again here (that is on the profile, for
 * the account's owner), so the ways on are: start over (a mistyped address), or sign in with the
 * password just chosen and send it again from the profile.
 */
import { Layout } from '../views/layout.tsx';
import { LINK_LIFETIME_SECONDS, SIGN_UP_BROWSER_SECONDS } from '../../domain/account_links.ts';

export interface CheckInboxProps {
  email: string;
  /** The pending authorization the sign-up started from, and the service that asked. */
  interaction?: { id: string; appName: string } | undefined;
}

export function CheckInboxView({ email, interaction }: CheckInboxProps) {
  const query = interaction === undefined ? '' : `?${new URLSearchParams({ interaction: interaction.id })}`;
  const hours = LINK_LIFETIME_SECONDS.verify_email / 3600;
  const minutes = SIGN_UP_BROWSER_SECONDS / 60;
  return (
    <Layout title="Check your inbox">
      <h1>Check your inbox</h1>
      <p>
        We sent a message to <strong>{email}</strong>. Open the link in it to confirm your address and finish creating your account.
      </p>
      <p>{`The link works once, for ${hours} hours. Open it in this browser within ${minutes} minutes and you are signed in at once; opened later or on another device, it confirms your address and you then sign in with your password.`}</p>
      {interaction !== undefined && <p>{`You will then come back to ${interaction.appName} to finish what you started.`}</p>}
      <h2>No message?</h2>
      <p>Mail can take a few minutes. Look in your spam or junk folder too, and check the address above.</p>
      <p>
        If the address is wrong, <a href={`/signup${query}`}>start over</a>. If it is right, you can also <a href={`/login${query}`}>sign in with your password</a> and send the link again from your profile.
      </p>
    </Layout>
  );
}
