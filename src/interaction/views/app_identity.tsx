/**
 * Who a service is, the same way on every page that asks a person to trust or judge it (the
 * approval page, "Manage applications"): logo, name, publisher, website, verified or not. All of
 * it is developer-supplied: preact escapes the text, and links and images pass the checks below
 * (SECURITY 27: client metadata is output-encoded, a `javascript:` website is not a link).
 */
import type { ComponentChildren } from 'preact';
import type { App } from '../../domain/apps.ts';

/** An http(s) URL safe to put in an href: https anywhere, http only on loopback. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'https:') return parsed.href;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  return parsed.protocol === 'http:' && loopback ? parsed.href : undefined;
}

/** The host a URL points at, for "you will be sent back to …"; the scheme for a native app's URI. */
export function hostOf(url: string): string {
  const parsed = new URL(url);
  return parsed.host !== '' ? parsed.host : parsed.protocol;
}

/**
 * The logo, only when Tessera serves it itself (uploaded in the portal): the page's CSP allows
 * images from our origin only, and a third-party image would tell its host who looks at the page.
 */
export function logoSrc(issuer: string, app: Pick<App, 'logoUrl'>): string | undefined {
  const prefix = `${issuer}/developers/logos/`;
  return app.logoUrl?.startsWith(prefix) ? app.logoUrl.slice(issuer.length) : undefined;
}

export interface AppIdentityProps {
  name: string;
  publisher: string;
  verified: boolean;
  logo?: string;
  website?: string;
}

export function appIdentity(issuer: string, app: App): AppIdentityProps {
  return {
    name: app.name,
    publisher: app.publisher,
    verified: app.verified,
    logo: logoSrc(issuer, app),
    website: safeHref(app.websiteUrl ?? app.companyUrl),
  };
}

export function AppLogo({ name, logo }: { name: string; logo?: string }) {
  // Without a logo, the first letter on a tile: every service has a recognisable shape.
  return logo !== undefined ? (
    <img class="app-logo" src={logo} alt="" width={56} height={56} />
  ) : (
    <span class="app-logo monogram" aria-hidden="true">
      {[...name.trim()][0]?.toUpperCase() ?? '?'}
    </span>
  );
}

export function VerifiedMark({ verified }: { verified: boolean }) {
  return verified ? <span class="verified">Verified publisher</span> : <span class="unverified">Unverified publisher</span>;
}

/** Name, publisher, website and the verified mark, beside the logo. */
export function AppIdentity(props: AppIdentityProps & { heading?: 'h1' | 'h2' | 'h3'; children?: ComponentChildren }) {
  const Heading = props.heading ?? 'h2';
  return (
    <div class="app-identity">
      <AppLogo name={props.name} logo={props.logo} />
      <div>
        {props.children ?? <Heading class="app-name">{props.name}</Heading>}
        <p class="publisher">
          by {props.publisher} <VerifiedMark verified={props.verified} />
        </p>
        {props.website !== undefined && (
          <p class="website">
            <a href={props.website} rel="noopener noreferrer" target="_blank">
              {hostOf(props.website)}
            </a>
          </p>
        )}
      </div>
    </div>
  );
}
