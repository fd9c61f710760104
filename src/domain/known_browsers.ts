/**
 * Device recognition (issue 15, "a sign-in from a browser the account has not used before"). Each
 * browser carries a long-lived random id in a cookie of its own (http/signed_in.ts); the database
 * keeps, per account, only a digest of (account, browser id) for each browser that signed in to it
 * (`known_browsers`), so the table links no two accounts that share a browser and holds no usable
 * cookie. The row is written with the session, in its transaction (persistence/stores/sessions.ts).
 *
 * What counts as the same browser is the cookie: a private window, another browser profile or a
 * browser whose cookies were cleared is a new browser, which errs on the side of telling.
 * @module
 */

/**
 * How long the cookie lives, and how long a browser stays known without signing in: 400 days,
 * the longest lifetime browsers grant a cookie (RFC 6265bis §5.6.1/§5.6.2 cap Max-Age/Expires).
 */
export const KNOWN_BROWSER_DAYS = 400;

/** What the account's known browsers said about the one signing in, read in the session's transaction. */
export interface BrowserSeen {
  /** This browser signed in to this account before (and not more than KNOWN_BROWSER_DAYS ago). */
  thisOne: boolean;
  /** Some other browser did (only read when this one is not known: it decides nothing then). */
  others: boolean;
}

/**
 * A sign-in is from a new browser when the account knows other browsers but not this one. The very
 * first sign-in of an account (no browser known yet: just created, or silent for longer than
 * KNOWN_BROWSER_DAYS, or signed in only before device recognition existed) is not "new": there is
 * nothing it is new against, and a notice on every first sign-in would teach people to ignore them.
 */
export function isNewBrowser(seen: BrowserSeen): boolean {
  return !seen.thisOne && seen.others;
}
