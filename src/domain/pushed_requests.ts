/**
 * Pushed Authorization Requests (RFC 9126, issue 18). A client pushes its authorization request to
 * /par and gets a `request_uri` for /authorize. The row is keyed by the digest of that value and
 * keeps the request's parameters as pushed (already validated once at /par, and validated again
 * when taken, exactly as a front-channel request); /authorize takes it once (§4, §7.3), then the
 * request lives on in an interaction through sign-in and approval like any other.
 * @module
 */

/** RFC 9126 §2.2: "expires_in" of every request_uri; short, because the request it names is live. */
export const PUSHED_REQUEST_TTL = 60;

/** The authorization request parameters as pushed: each one sent once, so a single string. */
export type PushedParams = Record<string, string>;

export interface PushedRequest {
  /** Digest of the request_uri. */
  id: string;
  appId: string;
  params: PushedParams;
  createdAt: number;
  expiresAt: number;
}

export interface PushedRequestStore {
  create(request: PushedRequest): Promise<void>;
  /**
   * The parameters of a live, unused request pushed by `appId`, marking it used in the same
   * statement (compare-and-set: of any number of concurrent takers exactly one gets them).
   * Undefined for one never pushed, another client's, expired (at `expiresAt` and after) or used.
   */
  take(id: string, appId: string, now: number): Promise<PushedParams | undefined>;
}
