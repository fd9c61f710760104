/**
 * Invitations to organizations. Owners add members by email; an address nobody has proven to own
 * (domain/users.ts `emailVerifiedAt`) must not receive a membership meant for its real owner, so
 * the addition becomes an invitation. The person accepts it while signed in with a verified
 * address equal to the invitation's; it is never matched to an account on its own, and creating
 * an account adds no membership. At most one pending invitation per (organization, address);
 * inviting again renews it. Changes go through services/org_admin.ts (write, audit, announce).
 * @module
 */
import type { Role } from './organizations.ts';
import type { MailIntent } from './mail.ts';

/** How long an invitation may be accepted: 7 days (issue 15), then the owner invites again. */
export const INVITATION_LIFETIME_SECONDS = 7 * 86_400;

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

export interface Invitation {
  id: string;
  orgId: string;
  /** Normalized (domain/users.ts normalizeEmail). */
  email: string;
  role: Role;
  status: InvitationStatus;
  /** The owner who invited; null from the CLI. */
  invitedBy: string | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  /** Who accepted, declined or cancelled it. */
  decidedBy: string | null;
}

/** An invitation with its organization's names. */
export interface InvitationWithOrg extends Invitation {
  orgSlug: string;
  orgName: string;
}

export function isExpired(invitation: Pick<Invitation, 'expiresAt'>, now: number): boolean {
  return invitation.expiresAt <= now;
}

export interface InvitationStore {
  /**
   * A pending invitation of `email` to the organization, expiring at `expiresAt`. When one is
   * pending already (expired or not), it is renewed: new role, inviter, creation and expiry.
   * `mail` (the invitation's message, issue 15) is written in the same transaction.
   */
  invite(input: { orgId: string; email: string; role: Role; invitedBy: string | null; expiresAt: number }, now: number, mail?: MailIntent): Promise<{ invitation: Invitation; renewed: boolean }>;
  find(id: string): Promise<InvitationWithOrg | undefined>;
  /** The organization's pending invitations not yet expired, oldest first. */
  listPending(orgId: string, now: number): Promise<Invitation[]>;
  /** The pending invitations of `email` not yet expired, with their organizations, oldest first. */
  listPendingFor(email: string, now: number): Promise<InvitationWithOrg[]>;
  /**
   * Accepts a pending, unexpired invitation for `userId` and, in the same transaction, makes them
   * a member with its role (someone already a member keeps their role). `undefined` when it was
   * not pending any more or has expired; nothing is written then.
   */
  accept(id: string, userId: string, now: number): Promise<{ invitation: Invitation; joined: boolean } | undefined>;
  /** Closes a pending invitation (declined by the person, cancelled by an owner); false when it was not pending. */
  close(id: string, status: 'declined' | 'cancelled', decidedBy: string | null, now: number): Promise<boolean>;
}
