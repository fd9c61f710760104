/** Server-side sign-in sessions behind an opaque cookie. */
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
  touch(id: string, now: number): Promise<void>;
  end(id: string, now: number): Promise<void>;
}
