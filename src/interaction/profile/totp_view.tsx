/** Turning on two-step verification: the secret as a QR code and as text, then the recovery codes. */
import { Layout } from '../views/layout.tsx';
import { SignOutForm } from '../home/view.tsx';

export interface TotpSetupProps {
  token: string;
  logoutToken: string;
  secret: string;
  uri: string;
  qrDataUri: string;
  wrong?: boolean;
}

export function TotpSetupView({ token, logoutToken, secret, uri, qrDataUri, wrong }: TotpSetupProps) {
  return (
    <Layout title="Two-step verification">
      <h1>Turn on two-step verification</h1>
      <p>Scan this code with an authenticator app, or type the key into it.</p>
      <img class="qr" src={qrDataUri} alt="QR code of your two-step verification key" width={200} height={200} />
      <p>
        Key: <code class="secret">{secret}</code>
      </p>
      <p class="hint">
        Or open: <code>{uri}</code>
      </p>
      {wrong && (
        <p class="error" role="alert">
          That code is not right. Try the newest code from your app.
        </p>
      )}
      <form method="post" action="/profile/totp/confirm">
        <input type="hidden" name="token" value={token} />
        <label>
          Code from the app
          <input type="text" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength={6} />
        </label>
        <button type="submit">Turn on</button>
      </form>
      <p>
        <a href="/profile">Cancel</a>
      </p>
      <SignOutForm token={logoutToken} />
    </Layout>
  );
}

export function RecoveryCodesView({ codes, logoutToken }: { codes: string[]; logoutToken: string }) {
  return (
    <Layout title="Recovery codes">
      <h1>Two-step verification is on</h1>
      <p>
        Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown only this once.
      </p>
      <ul class="recovery">
        {codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href="/profile">Back to your profile</a>
      </p>
      <SignOutForm token={logoutToken} />
    </Layout>
  );
}
