/** Server-side sign-in sessions behind an opaque cookie. */
import type { User } from './users.ts';
import type { AuditEvent } from './audit.ts';
export interface Session {
  /** Digest of the cookie value. */
  id: string;
  userId: string;
  authTime: number;
  amr: string[];
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionStore {
  /**
   * Stores a new session; with `event`, records that audit event in the same transaction, so no
   * session exists without the sign-in event that explains it (issue 13). With `browser` (the
   * digest of the account and the browser's id, domain/known_browsers.ts), records the browser as
   * known to the account in that transaction too, and adds `new_browser: true` to the event's
   * detail when `isNewBrowser` says so, which mails the person a notice (domain/notices.ts).
   */
  create(session: Session & { ip: string | null; userAgent: string | null }, event?: AuditEvent, browser?: string): Promise<void>;
  /** A live session: not ended, not past its absolute expiry. Idle expiry is the caller's rule. */
  findLive(id: string, now: number): Promise<Session | undefined>;
  /** The same, with its person (undefined when the account is gone), read together. */
  findLiveWithUser(id: string, now: number): Promise<{ session: Session; user: User | undefined } | undefined>;
  touch(id: string, now: number): Promise<void>;
  end(id: string, now: number): Promise<void>;
  /** The person's live sessions (not ended, not past absolute expiry), most recently seen first. */
  listLive(userId: string, now: number): Promise<SessionSummary[]>;
  /** Ends one of the person's sessions; false when it was not theirs or not live. */
  endOwn(userId: string, id: string, now: number): Promise<boolean>;
  /**
   * Ends every live session of the person (an operator's "End all sessions", issue 21) and records
   * `event`, made from how many ended, in the same transaction; the number ended.
   */
  endAllOf(userId: string, now: number, event: (ended: number) => AuditEvent): Promise<number>;

  /** A sign-in whose password was right and whose second factor is still to come. */
  createPending(pending: PendingSignIn): Promise<void>;
  findPending(id: string, now: number): Promise<PendingSignIn | undefined>;
  /** Counts one wrong code; returns the attempts so far. */
  countPendingAttempt(id: string): Promise<number>;
  /** Marks it used; false when it was used already (a second request lost the race). */
  consumePending(id: string, now: number): Promise<boolean>;

  /**
   * Wrong second-factor codes of the person since the current window began, `windowSeconds`
   * long; 0 once it has passed. Counted per account on every node (issue 13, defect 3).
   */
  countFactorFailures(userId: string, now: number, windowSeconds: number): Promise<FactorFailures>;
  /** Counts one wrong code, starting a new window when the last one has passed; returns the count. */
  recordFactorFailure(userId: string, now: number, windowSeconds: number): Promise<FactorFailures>;
  /** Forgets the failures: the person gave a right second factor. */
  clearFactorFailures(userId: string): Promise<void>;
}

export interface PendingSignIn {
  /** Digest of the cookie value. */
  id: string;
  userId: string;
  interactionId: string | null;
  /** Where to go after the sign-in when it continues no authorization: a same-origin path. */
  returnTo: string | null;
  attempts: number;
  createdAt: number;
  expiresAt: number;
}

export interface SessionSummary extends Session {
  ip: string | null;
  userAgent: string | null;
}

/** Wrong second-factor codes in the current window; none (0, now) once it has passed. */
export interface FactorFailures {
  failures: number;
  windowStartedAt: number;
}
