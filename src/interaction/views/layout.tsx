/**
 * The frame of every page: platform name first, one same-origin stylesheet, no script (the CSP
 * allows none). preact escapes every text and attribute value; nothing here sets raw HTML.
 */
import type { ComponentChildren } from 'preact';

export const STYLESHEET = '/assets/tessera.css';

export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Tessera`}</title>
        <link rel="stylesheet" href={STYLESHEET} />
      </head>
      <body>
        <header class="brand">Tessera</header>
        <main class="card">{children}</main>
      </body>
    </html>
  );
}
