/** The console's Keys page (issue 21): the signing keys and their states, and "Rotate now". */
import type { SigningKeyRow } from '../../services/signing_keys.ts';
import { formatTime } from '../../domain/dates.ts';
import { AdminLayout, Notice } from './layout.tsx';
import { ADMIN } from './paths.ts';

export interface KeysPageProps {
  logoutToken: string;
  keys: SigningKeyRow[];
  /** KEY_ENCRYPTION_KEY is set, rather than the key kept in DATA_DIR/kek next to the data. */
  kekConfigured: boolean;
  token: string;
  notice: string | undefined;
}

const STATE: Record<SigningKeyRow['state'], string> = {
  current: 'Current: signs every new token',
  previous: 'Retiring: published so tokens it signed still verify',
  retired: 'Retired: no longer published or accepted',
};

function KeyFacts({ k }: { k: SigningKeyRow }) {
  return (
    <li>
      <h3>
        <code>{k.kid}</code>
      </h3>
      <dl class="facts">
        <dt>State</dt>
        <dd>{STATE[k.state]}</dd>
        <dt>Algorithm</dt>
        <dd>{k.alg}</dd>
        <dt>Created</dt>
        <dd>{formatTime(k.createdAt)}</dd>
        <dt>Activated</dt>
        <dd>{formatTime(k.createdAt)}</dd>
        {k.state !== 'current' && k.rotatedAt !== null && (
          <>
            <dt>{k.state === 'previous' ? 'Stopped signing' : 'Retired'}</dt>
            <dd>{formatTime(k.rotatedAt)}</dd>
          </>
        )}
        {k.state !== 'retired' && (
          <>
            <dt>Retires</dt>
            <dd>{k.state === 'current' ? 'At the second rotation from now' : 'At the next rotation'}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

export function KeysPageView({ logoutToken, keys, kekConfigured, token, notice }: KeysPageProps) {
  return (
    <AdminLayout title="Keys" logoutToken={logoutToken} section="keys">
      <h1>Signing keys</h1>
      <Notice text={notice} />
      <p>
        {kekConfigured
          ? 'The key-encryption key is configured (KEY_ENCRYPTION_KEY): private keys are sealed under it in the database.'
          : 'No key-encryption key is configured: private keys are sealed under a key kept in DATA_DIR/kek, next to the data it protects. Set KEY_ENCRYPTION_KEY in production.'}
      </p>
      {keys.length === 0 ? (
        <p class="muted">No signing key yet: the server creates the first one when it starts.</p>
      ) : (
        <ul class="sessions admin-keys">
          {keys.map((k) => (
            <KeyFacts key={k.kid} k={k} />
          ))}
        </ul>
      )}
      <section aria-labelledby="rotate">
        <h2 id="rotate">Rotate</h2>
        <form method="post" action={ADMIN.rotateKeys}>
          <input type="hidden" name="token" value={token} />
          <p class="hint">
            Rotation makes a new current key: it signs every token from now on, on every node. The key that signed until now stays published in the JWKS, so
            the tokens it signed keep verifying until they expire; the next rotation retires it, so leave at least the longest token lifetime (1 hour by
            default) between two rotations. A retiring key is retired now and no longer accepted.
          </p>
          <button type="submit">Rotate now</button>
        </form>
      </section>
    </AdminLayout>
  );
}
