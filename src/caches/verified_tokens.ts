/**
 * Remembers access tokens whose signature and claims already verified, so the API does not repeat
 * an ES256 verification (the largest cost of an API call; bench/README.md) for a token it saw
 * moments ago. The key is the whole token string, signature included, so a token that differs in
 * any byte is verified afresh. A hit still re-checks expiry and that the signing key is still in
 * the ring (a retired key's tokens stop working at once); the revocation denylist is checked by the
 * caller on every call, hit or miss.
 * @module
 */
import type { AccessTokenClaims } from '../crypto/jwt.ts';

interface Entry {
  claims: AccessTokenClaims;
  kid: string;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10000) {}

  get(token: string, now: number, hasKey: (kid: string) => boolean): AccessTokenClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.claims.exp <= now || !hasKey(entry.kid)) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, kid: string, claims: AccessTokenClaims): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, kid });
  }

  get size(): number {
    return this.entries.size;
  }
}
