/**
 * Sending an HTML page: rendered with preact-render-to-string (escaping by default), never cached,
 * with a CSP that allows only our stylesheet and form posts to ourselves (and, on the pages that
 * run passkey ceremonies, our own scripts) — plus, on pages of a
 * pending authorization, the client's origin, because Chromium applies form-action to the
 * redirect that follows the POST (SECURITY 7, 30, 39; STACK trap 6).
 * @module
 */
import type { FastifyReply } from 'fastify';
import { h, type VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { BrandContext } from './brand.tsx';

/** The CSP source for a redirect URI: its origin, or its scheme for a native app's private-use URI. */
export function formTarget(redirectUri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return undefined;
  }
  const source = url.origin !== 'null' ? url.origin : url.protocol;
  // Nothing that could end the directive or add another source.
  return /^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[A-Za-z0-9.\-[\]:]+)?$/.test(source) ? source : undefined;
}

/**
 * With `scripts`, the page may run scripts from our own origin and fetch from it (the passkey
 * ceremonies, issue 16): `script-src 'self'` and nothing else, so no inline script ever runs.
 */
export function pageCsp(formTo?: string, dataImages = false, scripts = false): string {
  const formAction = formTo ? `'self' ${formTo}` : "'self'";
  const script = scripts ? "; script-src 'self'; connect-src 'self'" : '';
  return `default-src 'none'; style-src 'self'; img-src 'self'${dataImages ? ' data:' : ''}${script}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`;
}

export interface PageOptions {
  status?: number;
  /** The redirect URI of the pending authorization this page belongs to. */
  redirectUri?: string;
  /** Allow `data:` images (the QR code of a TOTP secret, rendered by us as an SVG data URI). */
  dataImages?: boolean;
  /** The page runs our passkey script (views/layout.tsx `passkeys`): scripts and fetches from 'self' only. */
  scripts?: boolean;
}

/** The HTML document of a page, with the app's brand (views/brand.tsx) for its frame: every page is rendered here. */
export function renderPage(reply: FastifyReply, page: VNode): string {
  return '<!doctype html>' + render(h(BrandContext.Provider, { value: reply.server.brand }, page));
}

export function sendPage(reply: FastifyReply, page: VNode, options: PageOptions = {}): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', pageCsp(options.redirectUri && formTarget(options.redirectUri), options.dataImages, options.scripts))
    .send(renderPage(reply, page));
}
