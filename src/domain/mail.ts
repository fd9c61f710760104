/**
 * Mail Tessera sends (issue 15). A message is stored in the outbox in the same transaction as the
 * change that causes it, then delivered by a background sender (jobs/mail_sender.ts): a crash
 * between the commit and the send loses nothing, and a mail server that is down delays mail but
 * never a sign-in, an approval or an API call.
 *
 * What is stored is an intent: its kind, its recipient and the data its text is rendered from
 * (mail/messages.ts), never a secret. A message carrying a link names the account_links row; the
 * link's secret is recomputed at send time with a key the database does not hold
 * (crypto/account_links.ts), so a copy of the outbox opens no account.
 * @module
 */

/** What happened, for a security notice: one audit event (domain/notices.ts says which). */
export interface NoticeData {
  /** The audit event's type, e.g. `user.password_changed`. */
  event: string;
  at: number;
  ip: string | null;
  /** A short name of the browser ("Firefox on Linux"), when the change came from one. */
  browser: string | null;
  /** The event's own detail (an application's name, scopes, an old address…). */
  detail: Record<string, unknown>;
}

/** What a single-use link is for (domain/account_links.ts); each is also the kind of the mail carrying it. */
export type LinkPurpose = 'verify_email' | 'reset_password' | 'change_email';

/** What a link message is rendered from; the link itself is recomputed from `linkId` when it is sent. */
export interface LinkData {
  linkId: string;
  name: string;
  expiresAt: number;
}

/** A message to send, by kind. `to` is a normalized address; `userId` the account it concerns, if any. */
export type MailIntent =
  /**
   * A link (domain/account_links.ts) of the purpose the kind names: prove the person owns `to`
   * (sign-up, "send again"), reset their password, or confirm `to` as their new address.
   */
  | { kind: LinkPurpose; to: string; userId: string; data: LinkData }
  /** A password reset asked for an address with no account here (same work and answer as one with). */
  | { kind: 'reset_unknown'; to: string; userId: null; data: Record<string, never> }
  /** A password reset asked for a work account: it has no password here; its company resets it. */
  | { kind: 'reset_work_account'; to: string; userId: string; data: { directory: string } }
  /**
   * A password reset asked for an account that signs in with a passkey and has no password: no
   * link (a mailbox must not open it), a word that an administrator can help instead.
   */
  | { kind: 'reset_passkey_account'; to: string; userId: string; data: Record<string, never> }
  /**
   * A sign-up with `to`, which already has an account: no second account and no link, a word to
   * its owner instead, so the sign-up page can answer the same either way (SECURITY 33).
   */
  | { kind: 'signup_taken'; to: string; userId: null; data: Record<string, never> }
  /** A change of address to `to`, which already belongs to another account: no link, a word to its owner. */
  | { kind: 'address_taken'; to: string; userId: null; data: Record<string, never> }
  /** An invitation to an organization; accepted on /orgs while signed in with that verified address. */
  | { kind: 'invitation'; to: string; userId: null; data: { orgName: string; orgSlug: string; role: string; invitedBy: string | null; expiresAt: number } }
  /** A security notice; it cannot be turned off. */
  | { kind: 'notice'; to: string; userId: string; data: NoticeData };

export type MailKind = MailIntent['kind'];

export type LinkMail = Extract<MailIntent, { kind: LinkPurpose }>;

/** True for a message that carries a single-use link (its kind names the link's purpose). */
export function isLinkMail(mail: MailIntent): mail is LinkMail {
  return mail.kind === 'verify_email' || mail.kind === 'reset_password' || mail.kind === 'change_email';
}

export type MailStatus = 'pending' | 'sent' | 'failed';

/** A stored message, as the sender and `tessera mail list` see it. */
export type OutboxMessage = MailIntent & {
  id: string;
  status: MailStatus;
  /** Delivery attempts started so far. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
};

export interface OutboxStore {
  /** Writes one message on its own, when no other row changes with it. */
  enqueue(mail: MailIntent, now: number): Promise<string>;
  /**
   * Takes up to `limit` due messages for `owner` until `now + leaseSeconds`, counting an attempt
   * on each. A message is never taken twice at once, on any number of nodes; one whose lease ran
   * out (its sender died) is taken again.
   */
  claim(owner: string, now: number, leaseSeconds: number, limit: number): Promise<OutboxMessage[]>;
  /** Delivered: the lease ends and the message stays as history. */
  markSent(id: string, owner: string, now: number): Promise<void>;
  /** An attempt failed: try again at `retryAt`, or give up (`failed`) when it is null. */
  markFailed(id: string, owner: string, error: string, retryAt: number | null): Promise<void>;
  /** Gives back messages taken but never tried (the sender is stopping): due again, the attempt uncounted. */
  release(ids: readonly string[], owner: string): Promise<void>;
  /** Newest first. */
  list(filter: { status?: MailStatus; limit: number }): Promise<OutboxMessage[]>;
  find(id: string): Promise<OutboxMessage | undefined>;
  /** Makes failed messages due again with a fresh count of attempts; how many. */
  retry(ids: readonly string[] | 'failed', now: number): Promise<number>;
  /** Messages of these kinds to `to` created since `since`: throttles that hold on every node. */
  countRecent(to: string, kinds: readonly MailKind[], since: number): Promise<number>;
  /** What is waiting and what was given up on, for the metrics (ops/mail_metrics.ts). */
  backlog(): Promise<OutboxBacklog>;
}

export interface OutboxBacklog {
  pending: number;
  failed: number;
  /** When the oldest pending message was written; null when none is pending. */
  oldestPendingAt: number | null;
}
