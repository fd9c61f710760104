/**
 * Where the links in mail lead: every one is an absolute URL under PUBLIC_URL (issue 15). The pages
 * that answer them import these paths, so a mail and its page cannot drift apart.
 * @module
 */
import type { LinkPurpose } from '../domain/account_links.ts';

/** The page each kind of single-use link opens; the link value goes in `?link=`. */
export const LINK_PATHS: Record<LinkPurpose, string> = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
  change_email: '/profile/email/confirm',
};

/** Pages a mail points at to undo or review something. */
export const PAGE_PATHS = {
  profile: '/profile',
  applications: '/profile/applications',
  forgotPassword: '/forgot-password',
  signIn: '/login',
  orgs: '/orgs',
} as const;

export function absolute(issuer: string, path: string, query?: Record<string, string>): string {
  const url = new URL(issuer + path);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url.toString();
}
