/**
 * Company directories: OpenID providers that vouch for work accounts (issue 3). A directory
 * serves one or more email domains; a domain belongs to at most one directory. People it vouches
 * for are found by (issuer, subject), never by email (SECURITY 48).
 * @module
 */
import type { User } from './users.ts';

export interface Directory {
  id: string;
  name: string;
  /** The upstream issuer, exactly as configured (https, or http on a loopback host). */
  issuer: string;
  clientId: string;
  /** The client secret sealed under the KEK; only crypto/directory_secrets.ts opens it. */
  clientSecretSealed: string;
  /** Lowercased email domains, sorted. */
  domains: string[];
  createdAt: number;
}

/** One upstream sign-in in flight: bound to a browser (cookie digest) and to the issuer it began with (SECURITY 5, 47). */
export interface DirectoryTransaction {
  /** Digest of the cookie value. */
  id: string;
  directoryId: string;
  issuer: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  interactionId: string | null;
  createdAt: number;
  expiresAt: number;
}

export type CreateDirectoryResult = { directory: Directory; conflict?: undefined } | { directory?: undefined; conflict: 'name' | 'domain' };

export interface DirectoryStore {
  /** Creates a directory with its domains in one transaction; a taken name or domain is a value. */
  create(directory: Directory): Promise<CreateDirectoryResult>;
  list(): Promise<Directory[]>;
  find(id: string): Promise<Directory | undefined>;
  findByName(name: string): Promise<Directory | undefined>;
  /** The directory serving this (lowercased) email domain. */
  findByDomain(domain: string): Promise<Directory | undefined>;
  /**
   * Removes a directory and its domains, and ends every live session and revokes every refresh
   * token of its work accounts, in one transaction. The accounts stay (their identities too), so re-adding the same issuer finds
   * them again. Returns the number of sessions ended, or undefined when there was no such directory.
   */
  remove(id: string, now: number): Promise<{ sessionsEnded: number } | undefined>;

  /** The account an upstream (issuer, subject) signs in as. */
  findAccount(issuer: string, subject: string): Promise<User | undefined>;
  /**
   * Creates a work account and its (issuer, subject) identity in one transaction. When another
   * request created the identity first, returns that account instead.
   */
  createAccount(input: { issuer: string; subject: string; directoryId: string; email: string; name: string }, now: number): Promise<User>;

  createTransaction(transaction: DirectoryTransaction): Promise<void>;
  /** Marks the transaction used and returns it; undefined when unknown, expired or used already (SECURITY 47: once). */
  consumeTransaction(id: string, now: number): Promise<DirectoryTransaction | undefined>;
}

/** The lowercased domain of an email address, or undefined when it has none. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return undefined;
  return email.slice(at + 1).trim().toLowerCase();
}

/** A plain DNS name: labels of letters, digits and hyphens, at least two of them, at most 253 characters. */
export function isDomainName(domain: string): boolean {
  return domain.length <= 253 && /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(domain);
}

/**
 * Where an issuer may live: https anywhere, http only on a loopback host (127.0.0.0/8, ::1,
 * localhost) for development and tests. No query, fragment or credentials (RFC 8414 §2).
 * Returns the reason it is refused, or undefined.
 */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) return 'must not have a query or fragment';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be https (http only on a loopback address)';
}

export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(hostname) && hostname.split('.').every((part) => Number(part) <= 255);
}
