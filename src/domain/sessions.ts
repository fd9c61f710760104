/** Server-side sign-in sessions behind an opaque cookie. */
import type { User } from './users.ts';
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
  create(session: Session & { ip: string | null; userAgent: string | null }): Promise<void>;
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

  /** A sign-in whose password was right and whose second factor is still to come. */
  createPending(pending: PendingSignIn): Promise<void>;
  findPending(id: string, now: number): Promise<PendingSignIn | undefined>;
  /** Counts one wrong code; returns the attempts so far. */
  countPendingAttempt(id: string): Promise<number>;
  /** Marks it used; false when it was used already (a second request lost the race). */
  consumePending(id: string, now: number): Promise<boolean>;
}

export interface PendingSignIn {
  /** Digest of the cookie value. */
  id: string;
  userId: string;
  interactionId: string | null;
  attempts: number;
  createdAt: number;
  expiresAt: number;
}

export interface SessionSummary extends Session {
  ip: string | null;
  userAgent: string | null;
}
