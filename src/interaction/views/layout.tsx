/**
 * The frame of every page: platform name first, one same-origin stylesheet, no script (the CSP
 * allows none) but, on the pages that run passkey ceremonies, our own from our origin. preact
 * escapes every text and attribute value; nothing here sets raw HTML.
 */
import type { ComponentChildren } from 'preact';
import { ICON, PASSKEYS_SCRIPT, WEBAUTHN_LIBRARY } from '../assets/paths.ts';

export const STYLESHEET = '/assets/tessera.css';

/** A signed-in person's header: their sign-out token, and their name where the page does not say it already. */
export interface Account {
  logoutToken: string;
  name?: string;
}

export interface LayoutProps {
  title: string;
  children: ComponentChildren;
  /** A wider column, for pages with lists (approval, applications). */
  wide?: boolean;
  /** On pages of a signed-in person (not in the middle of an authorization): where to go, and Sign out. */
  account?: Account;
  /**
   * The page runs the passkey ceremonies (issue 16): our one script, from our origin, which loads
   * the WebAuthn library named here. Send it with `sendPage(…, { scripts: true })`, whose CSP allows it.
   */
  passkeys?: boolean;
}

export function Layout({ title, children, wide, account, passkeys }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Tessera`}</title>
        <link rel="stylesheet" href={STYLESHEET} />
        <link rel="icon" href={ICON} type="image/svg+xml" />
        {passkeys && <script type="module" src={PASSKEYS_SCRIPT} data-webauthn={WEBAUTHN_LIBRARY} />}
      </head>
      <body>
        <header class="brand">
          <span class="brand-name">Tessera</span>
          {account && <AccountNav {...account} />}
        </header>
        <main class={wide ? 'card wide' : 'card'}>{children}</main>
      </body>
    </html>
  );
}

/** The signed-in person's way around, and out (a POST: signing out is a CSRF-protected form, SECURITY 38). */
function AccountNav({ logoutToken, name }: Account) {
  return (
    <nav aria-label="Account">
      {name !== undefined && (
        <span>
          Signed in as <strong>{name}</strong>
        </span>
      )}
      <a href="/profile">Profile</a>
      <a href="/profile/applications">Manage applications</a>
      <form method="post" action="/logout/confirm" class="inline">
        <input type="hidden" name="token" value={logoutToken} />
        <button type="submit" class="link">
          Sign out
        </button>
      </form>
    </nav>
  );
}
