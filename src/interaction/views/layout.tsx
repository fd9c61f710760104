/**
 * The frame of every page: the platform's logo and name first (PRODUCT_LOGO, PRODUCT_NAME:
 * views/brand.tsx), one same-origin stylesheet, no script (the CSP
 * allows none) but, on the pages that run passkey ceremonies, our own from our origin. preact
 * escapes every text and attribute value; nothing here sets raw HTML.
 */
import type { ComponentChildren } from 'preact';
import { PASSKEYS_SCRIPT, WEBAUTHN_LIBRARY } from '../assets/paths.ts';
import { useBrand } from './brand.tsx';

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
  const brand = useBrand();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${brand.name}`}</title>
        <link rel="stylesheet" href={STYLESHEET} />
        <link rel="icon" href={brand.logo.src} type={brand.logo.contentType} />
        {passkeys && <script type="module" src={PASSKEYS_SCRIPT} data-webauthn={WEBAUTHN_LIBRARY} />}
      </head>
      <body>
        <header class="brand">
          {/* The name says it already: the image is decoration to a screen reader (alt=""). Never
              inlined: an operator's SVG is only ever an <img>, which runs no script. */}
          <span class="brand-mark">
            <img class="brand-logo" src={brand.logo.src} alt="" height="32" />
            <span class="brand-name">{brand.name}</span>
          </span>
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
      <a href="/">Home</a>
      <a href="/profile/applications">Manage applications</a>
      <a href="/orgs">Organizations</a>
      <a href="/developers/apps">Developer portal</a>
      <a href="/profile">Profile</a>
      <form method="post" action="/logout/confirm" class="inline">
        <input type="hidden" name="token" value={logoutToken} />
        <button type="submit" class="link">
          Sign out
        </button>
      </form>
    </nav>
  );
}
