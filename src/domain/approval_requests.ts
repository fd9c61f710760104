/**
 * Requests from members that the owners of an organization approve a third-party service, for
 * organizations whose policy is "approved only" (issue 6). A person has at most one pending
 * request per organization and service; the owners' answer closes every pending request for that
 * service at once, and the approval itself is an app rule (domain/policies.ts).
 * @module
 */
export type ApprovalRequestStatus = 'pending' | 'approved' | 'denied';

export interface ApprovalRequest {
  id: string;
  orgId: string;
  /** The service's client_id. */
  appId: string;
  /** Who asked. */
  userId: string;
  status: ApprovalRequestStatus;
  createdAt: number;
  decidedAt: number | null;
  /** The owner who answered. */
  decidedBy: string | null;
}

export interface ApprovalRequestStore {
  /** A new pending request; `undefined` when this person already has one pending for this app here. */
  create(orgId: string, appId: string, userId: string, now: number): Promise<ApprovalRequest | undefined>;
  findPending(orgId: string, appId: string, userId: string): Promise<ApprovalRequest | undefined>;
  /** The organization's pending requests, oldest first. */
  listPending(orgId: string): Promise<ApprovalRequest[]>;
  /** Closes every pending request for the app in the organization; returns who had asked, one id per request closed. */
  close(orgId: string, appId: string, status: Exclude<ApprovalRequestStatus, 'pending'>, decidedBy: string, now: number): Promise<string[]>;
}
