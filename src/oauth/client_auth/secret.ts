/**
 * Checks a presented client secret against the app's live secrets (stored as digests), in
 * constant time and with the same work whether or not the client exists (SECURITY 15), so neither
 * the answer nor its timing tells an unknown client from a wrong secret.
 * @module
 */
import type { AppSecret } from '../../domain/apps.ts';
import { constantEquals, digest } from '../../crypto/digest.ts';

// Compared against when there is no real secret, so the comparison work is always spent.
const NO_SECRET = digest('tessera:no-such-secret');

/** The id of the live secret that matches, or undefined. Every candidate is compared (no early exit). */
export function matchSecret(presented: string, secrets: readonly AppSecret[]): string | undefined {
  const presentedDigest = digest(presented);
  let matched: string | undefined;
  const candidates = secrets.length > 0 ? secrets : [{ id: '', digest: NO_SECRET, expiresAt: null }];
  for (const secret of candidates) {
    if (constantEquals(presentedDigest, secret.digest) && secret.id !== '') matched ??= secret.id;
  }
  return matched;
}
