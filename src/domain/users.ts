/** People who sign in to Tessera. */
export interface User {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: number;
  passwordChangedAt: number | null;
  disabledAt: number | null;
}

export interface UserStore {
  /** Creates a user; `undefined` when the email is taken. Emails are compared lowercased. */
  create(input: { email: string; name: string; passwordHash: string | null }, now: number): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
}

/** Emails are kept and compared lowercased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A deliberately plain check: one @, something on each side, no spaces, at most 254 characters. */
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
