/** The profile's passkeys page (issue 16): the person's passkeys, and adding, renaming, removing them. */
import { Layout } from '../views/layout.tsx';
import { useBrand } from '../views/brand.tsx';
import { Messages } from '../views/messages.tsx';
import { MAX_PASSKEY_NAME_CHARS } from '../../domain/passkeys.ts';
import { ADD_PASSKEY, PASSKEYS_PAGE } from '../passkey_paths.ts';

export const RENAME_PASSKEY = `${PASSKEYS_PAGE}/rename`;
export const REMOVE_PASSKEY = `${PASSKEYS_PAGE}/remove`;

export interface PasskeyRow {
  id: string;
  name: string;
  created: string;
  lastUsed: string | undefined;
  /** Synced to the person's other devices (backup-eligible). */
  synced: boolean;
}

export interface PasskeysViewProps {
  token: string;
  logoutToken: string;
  passkeys: PasskeyRow[];
  /** The account has a password: every passkey can go. Without one, the last passkey stays. */
  hasPassword: boolean;
  /** The sign-in is recent enough to add or remove one; otherwise a link to sign in again. */
  recent: boolean;
  reauthUrl: string;
  /** Passkeys can work for this issuer (not on an IP address). */
  offered: boolean;
  notice?: string;
  problem?: string;
}

export function PasskeysView(p: PasskeysViewProps) {
  const onlyWayIn = !p.hasPassword && p.passkeys.length === 1;
  return (
    <Layout title="Passkeys" account={{ logoutToken: p.logoutToken }} passkeys={p.offered && p.recent}>
      <h1>Passkeys</h1>
      <Messages notice={p.notice} problem={p.problem} />
      <p>
        A passkey signs you in with your device's screen lock or a security key, without a password, and cannot be phished.
        {p.hasPassword && ' With a password, a passkey is also your second step after it.'}
      </p>
      {p.passkeys.length === 0 ? (
        <p>You have no passkey yet.</p>
      ) : (
        <ul class="passkeys">
          {p.passkeys.map((k) => (
            <li key={k.id}>
              <strong>{k.name}</strong>
              <span class="hint">
                {' '}
                · added {k.created} · {k.lastUsed === undefined ? 'never used' : `last used ${k.lastUsed}`}
                {k.synced && ' · synced to your other devices'}
              </span>
              <form method="post" action={RENAME_PASSKEY} class="inline">
                <input type="hidden" name="token" value={p.token} />
                <input type="hidden" name="id" value={k.id} />
                <label>
                  New name for {k.name}
                  <input type="text" name="name" required maxlength={MAX_PASSKEY_NAME_CHARS} value={k.name} />
                </label>
                <button type="submit" class="secondary">
                  Rename
                </button>
              </form>
              {onlyWayIn ? (
                <p class="hint">This passkey is the only way into your account: add another one before you remove it.</p>
              ) : (
                p.recent && (
                  <form method="post" action={REMOVE_PASSKEY} class="inline">
                    <input type="hidden" name="token" value={p.token} />
                    <input type="hidden" name="id" value={k.id} />
                    <button type="submit" class="danger" aria-label={`Remove ${k.name}`}>
                      Remove
                    </button>
                  </form>
                )
              )}
            </li>
          ))}
        </ul>
      )}

      <h2>Add a passkey</h2>
      {!p.offered ? (
        <p>Passkeys cannot be used at this address of {useBrand().name}.</p>
      ) : !p.recent ? (
        <p>
          Adding or removing a passkey needs a recent sign-in. <a href={p.reauthUrl}>Sign in again</a>
        </p>
      ) : (
        <>
          {/* Shown by our script where the browser has WebAuthn (assets/passkeys.js). */}
          <form method="post" action={ADD_PASSKEY.verify} data-passkey="add" data-options={ADD_PASSKEY.options} data-verify={ADD_PASSKEY.verify} data-passkey-only hidden>
            <label>
              Name for the new passkey
              <input type="text" name="name" maxlength={MAX_PASSKEY_NAME_CHARS} placeholder="Laptop, phone, security key" />
            </label>
            <button type="submit">Add a passkey</button>
          </form>
          <p class="error" role="alert" data-passkey-status hidden />
          <noscript>
            <p>Adding a passkey needs JavaScript.</p>
          </noscript>
        </>
      )}
      <p>
        <a href="/profile">Back to your profile</a>
      </p>
    </Layout>
  );
}
