/**
 * What platform operators read about people and services (issue 21): the `tessera user|app
 * list|show` commands and the /admin console's People and Services pages read the same rows, so
 * both show the same thing. Lists are pages in a fixed order (newest first, then id) continued by
 * an opaque cursor: keyset pagination, never OFFSET, so a page costs the same deep in a long list
 * and a row written between two pages neither repeats nor hides one.
 * @module
 */
import type { AuditLogEntry } from './audit_log.ts';
import type { Role } from './organizations.ts';
import type { AccountKind } from './users.ts';

/** The most rows one page may hold, whoever asks. */
export const MAX_PAGE = 200;
/** Longest search text taken (an email address is at most 254). */
export const MAX_QUERY = 254;

export interface PersonRow {
  id: string;
  email: string;
  name: string;
  kind: AccountKind;
  createdAt: number;
  disabledAt: number | null;
  /** Since when the person is a platform operator (`tessera user admin`); null for everyone else. */
  platformOperatorAt: number | null;
  /** The start of the person's newest session, or null when they never signed in (sessions are purged after a while). */
  lastSignInAt: number | null;
}

export interface ServiceRow {
  clientId: string;
  name: string;
  /** The publisher shown on the approval page. */
  company: string;
  verified: boolean;
  /** Null while the platform does not suspend it. */
  suspension: { reason: string; since: number } | null;
  /** The person who owns it (1), or the owners of the organization that owns it; 0 for a dynamically registered client. */
  owners: number;
  /** People with a live grant of it. */
  people: number;
  createdAt: number;
}

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  members: number;
  createdAt: number;
}

export interface OrgsQuery {
  /** Part of the name or the slug, any case; matched literally. */
  query?: string;
  limit: number;
  after?: PageKey;
}

/** Where a page starts: after the row with this creation time and id (the order's last row). */
export interface PageKey {
  createdAt: number;
  id: string;
}

export interface PeopleQuery {
  /** Part of the email or the name, any case; matched literally (no wildcards). */
  query?: string;
  /** true: disabled accounts only; false: enabled only. */
  disabled?: boolean;
  /** true: platform operators only; false: everyone else. */
  operators?: boolean;
  limit: number;
  after?: PageKey;
}

export interface ServicesQuery {
  /** Part of the name, the publisher or the client id, any case; matched literally. */
  query?: string;
  /** true: suspended now; false: not suspended now. */
  suspended?: boolean;
  verified?: boolean;
  limit: number;
  after?: PageKey;
}

export interface LiveSession {
  /** The first characters of the session's id (itself a digest of the cookie): tells sessions apart, opens none. */
  idPrefix: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

export interface LiveGrant {
  clientId: string;
  appName: string;
  scopes: string[];
  /** The organizations it covers; null for every organization the person can reach. */
  orgs: { id: string; name: string }[] | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface Factors {
  password: boolean;
  /** Two-step verification with an authenticator app, confirmed. */
  totp: boolean;
  recoveryCodesLeft: number;
  passkeys: { name: string; createdAt: number; lastUsedAt: number | null }[];
}

export interface PersonDetails {
  person: PersonRow & { emailVerifiedAt: number | null };
  sessions: LiveSession[];
  grants: LiveGrant[];
  factors: Factors;
  organizations: { id: string; slug: string; name: string; role: Role }[];
  /** Newest first. */
  events: AuditLogEntry[];
}

export interface OperatorReadStore {
  /** One page of people, newest account first; one more row than `limit` tells the caller another page follows. */
  searchPeople(query: PeopleQuery): Promise<PersonRow[]>;
  /** One page of services, newest first; one more row than `limit` tells the caller another page follows. */
  searchServices(query: ServicesQuery, now: number): Promise<ServiceRow[]>;
  /** One page of organizations, newest first; one more row than `limit` tells the caller another page follows. */
  searchOrgs(query: OrgsQuery): Promise<OrgRow[]>;
  /** Undefined for an unknown id. */
  personDetails(userId: string, now: number, events: number): Promise<PersonDetails | undefined>;
  /** The emails of the people who own the app (itself, or through its organization). */
  ownerEmails(appId: string): Promise<string[]>;
}

/** The cursor as callers see it: an opaque string (base64url of the last row's key). */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

/** Undefined for anything this server did not hand out (the caller says "bad cursor"). */
export function decodeCursor(cursor: string): PageKey | undefined {
  if (cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return undefined;
  return { createdAt, id };
}
