/**
 * Minting refresh tokens: 256 random bits behind the `tsr_` prefix, stored only as a digest.
 * A family starts at a code exchange and ends at its absolute lifetime whatever the rotations;
 * each token also dies after the idle lifetime (RFC 9700 §4.14.2, SECURITY 19).
 * @module
 */
import type { Config } from '../../config/config.ts';
import type { RefreshToken } from '../../domain/tokens.ts';
import { digest } from '../../crypto/digest.ts';
import { randomToken } from '../../crypto/random.ts';

export interface MintedRefreshToken {
  /** What the client receives; never stored. */
  token: string;
  row: RefreshToken;
}

/** Whose token it is. `scopes` are the family's full scopes: a refresh token's scope never changes (SECURITY 19). */
export type RefreshTokenSubject = Pick<RefreshToken, 'familyId' | 'grantId' | 'appId' | 'userId' | 'scopes' | 'authTime' | 'amr'>;

/** The first token of a family, stored with the code's redemption; `dpopJkt` binds it to a DPoP key (RFC 9449 §5). */
export function mintFirstRefreshToken(config: Config, subject: RefreshTokenSubject, now: number, dpopJkt: string | null = null): MintedRefreshToken {
  return mint(config, subject, null, now + config.ttl.refreshTokenAbsolute, now, dpopJkt);
}

/** The successor of `parent`: same family, same scopes, same absolute end; bound to `dpopJkt` (the parent's key, if it had one). */
export function mintNextRefreshToken(config: Config, parent: RefreshToken, now: number, dpopJkt: string | null = null): MintedRefreshToken {
  return mint(config, parent, parent.id, parent.familyExpiresAt, now, dpopJkt);
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
  };
  return { token, row };
}
