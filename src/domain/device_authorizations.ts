/**
 * The device flow (RFC 8628, issue 17): a device asks at /device_authorization, a person confirms
 * the user code on /device, and the device polls /token with its device_code. Only digests of both
 * codes are stored; `id` is the device_code's digest.
 * @module
 */
import type { RefreshToken } from './tokens.ts';
import type { AuditEvent } from './audit.ts';

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'redeemed';

export interface DeviceAuthorization {
  id: string;
  userCodeDigest: string;
  appId: string;
  scopes: string[];
  /** Who asked, as the confirm page shows it: the address and user agent of the device's request. */
  requesterIp: string;
  requesterUserAgent: string | null;
  createdAt: number;
  expiresAt: number;
  /** Seconds the device must wait between polls (RFC 8628 §3.5). */
  interval: number;
  lastPolledAt: number | null;
  status: DeviceAuthorizationStatus;
  /** Set once approved: whose it is and the grant it was written into. */
  userId: string | null;
  grantId: string | null;
  familyId: string | null;
  authTime: number | null;
  amr: string[];
  decidedAt: number | null;
}

/** What a person's approval attaches to the request; the grant itself is written by the grant store. */
export interface DeviceApproval {
  userId: string;
  grantId: string;
  familyId: string;
  authTime: number;
  amr: string[];
  /** What the person approved: what was asked, less what they unticked. The tokens carry these. */
  scopes: string[];
}

/** What one poll at /token finds (RFC 8628 §3.5), decided in the store against the row as it is. */
export type PollOutcome = 'ok' | 'slow_down';

export interface DeviceAuthorizationStore {
  /** Stores a new request; false when the user code's digest is taken (draw another). */
  create(row: DeviceAuthorization): Promise<boolean>;
  find(id: string): Promise<DeviceAuthorization | undefined>;
  findByUserCode(userCodeDigest: string): Promise<DeviceAuthorization | undefined>;
  /**
   * Records a poll: `slow_down` (and the interval grows by 5 s, for this and every later poll) when
   * it came sooner than the interval after the previous one; `ok` otherwise.
   */
  poll(id: string, now: number): Promise<PollOutcome>;
  /**
   * Pending and not expired → approved, with `event` (`device.signed_in`, a notice) recorded in the
   * same transaction; false when it was decided or expired meanwhile.
   */
  approve(id: string, approval: DeviceApproval, now: number, event?: AuditEvent): Promise<boolean>;
  /** Pending and not expired → denied; false otherwise. */
  deny(id: string, now: number): Promise<boolean>;
  /**
   * Approved → redeemed, once (single use: a second redemption gets invalid_grant), storing the
   * family's first refresh token in the same transaction; false when another redemption won.
   */
  redeem(id: string, now: number, firstRefresh: RefreshToken | undefined): Promise<boolean>;
  /**
   * For "Manage applications" (issue 17): of these grants, those a device flow approval wrote into,
   * with the latest such device's address and user agent.
   */
  devicesOfGrants(grantIds: readonly string[]): Promise<Map<string, { ip: string; userAgent: string | null }>>;
}
