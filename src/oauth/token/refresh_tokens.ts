/**
 * Minting refresh tokens: 256 random bits behind the `tsr_` prefix, stored only as a digest.
 * A family starts at a code exchange and ends at its absolute lifetime whatever the rotations;
 * each token also dies after the idle lifetime (RFC 9700 §4.14.2, SECURITY 19).
 * @module
 */
import type { Config } from '../../config/config.ts';
import type { RefreshToken } from '../../domain/tokens.ts';
import type { App } from '../../domain/apps.ts';
import { SPA_REFRESH_TOKEN_LIFETIME } from '../../domain/spa.ts';
import { digest } from '../../crypto/digest.ts';
import { randomToken } from '../../crypto/random.ts';

export interface MintedRefreshToken {
  /** What the client receives; never stored. */
  token: string;
  row: RefreshToken;
}

/**
 * Whose token it is. `scopes` are the family's full scopes: a refresh token's scope never changes
 * (SECURITY 19). `sid`, the session of the family's code, stays with the family for its ID tokens.
 */
export type RefreshTokenSubject = Pick<RefreshToken, 'familyId' | 'grantId' | 'appId' | 'userId' | 'scopes' | 'authTime' | 'amr' | 'sid'>;

/** The first token of a family, stored with the code's redemption; `dpopJkt` binds it to a DPoP key (RFC 9449 §5). */
export function mintFirstRefreshToken(config: Config, subject: RefreshTokenSubject, now: number, dpopJkt: string | null, client: Pick<App, 'spa'>): MintedRefreshToken {
  return mint(config, subject, null, now + familyLifetime(config, client, dpopJkt), now, dpopJkt);
}

/**
 * How long a family lives from its first token; rotations never extend it (mintNextRefreshToken).
 * A single-page app's unbound family ends within 24 hours (draft-ietf-oauth-browser-based-apps
 * §6.3.2.3, Microsoft Entra's rule); a DPoP-bound one needs the browser's non-extractable key, so
 * it keeps the normal lifetime.
 */
export function familyLifetime(config: Config, client: Pick<App, 'spa'>, dpopJkt: string | null): number {
  const normal = config.ttl.refreshTokenAbsolute;
  return client.spa === true && dpopJkt === null ? Math.min(normal, SPA_REFRESH_TOKEN_LIFETIME) : normal;
}

/** The successor of `parent`: same family, same scopes, same absolute end; bound to `dpopJkt` (the parent's key, if it had one). */
export function mintNextRefreshToken(config: Config, parent: RefreshToken, now: number, dpopJkt: string | null = null): MintedRefreshToken {
  return mint(config, parent, parent.id, parent.familyExpiresAt, now, dpopJkt);
}

/** A new token's value and the terms that do not come from its predecessor or code, for a write done in SQL (issue 14). */
export interface RefreshTerms {
  token: string;
  id: string;
  expiresAt: number;
  familyExpiresAt: number;
  dpopJkt: string | null;
}

/** The terms `mintFirstRefreshToken` would give, for the code's redemption to store. */
export function firstRefreshTerms(config: Config, client: Pick<App, 'spa'>, now: number, dpopJkt: string | null): RefreshTerms {
  const token = randomToken('refreshToken');
  const familyExpiresAt = now + familyLifetime(config, client, dpopJkt);
  return { token, id: digest(token), expiresAt: Math.min(now + config.ttl.refreshTokenIdle, familyExpiresAt), familyExpiresAt, dpopJkt };
}

/**
 * A successor's value, id and idle end, for a rotation whose statement copies the rest from the
 * parent (family, scopes, absolute end, which also caps the idle end: `mintNextRefreshToken`).
 */
export function nextRefreshTerms(config: Config, now: number): { token: string; id: string; idleEnd: number } {
  const token = randomToken('refreshToken');
  return { token, id: digest(token), idleEnd: now + config.ttl.refreshTokenIdle };
}

function mint(config: Config, subject: RefreshTokenSubject, parentId: string | null, familyExpiresAt: number, now: number, dpopJkt: string | null): MintedRefreshToken {
  const token = randomToken('refreshToken');
  const row: RefreshToken = {
    id: digest(token),
    familyId: subject.familyId,
    grantId: subject.grantId,
    appId: subject.appId,
    userId: subject.userId,
    scopes: [...subject.scopes],
    authTime: subject.authTime,
    amr: [...subject.amr],
    parentId,
    createdAt: now,
    expiresAt: Math.min(now + config.ttl.refreshTokenIdle, familyExpiresAt),
    familyExpiresAt,
    rotatedAt: null,
    revokedAt: null,
    dpopJkt,
    sid: subject.sid ?? null,
  };
  return { token, row };
}
