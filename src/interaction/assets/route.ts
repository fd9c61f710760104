/**
 * GET /assets/tessera.css — the one stylesheet; GET /assets/tessera.svg — the built-in brand mark;
 * GET /assets/logo — the product logo (PRODUCT_LOGO, or that mark), the pages' header image and
 * icon, also answered at /favicon.ico (issue 20: every page logged a 404 for it);
 * GET /assets/passkeys.js — our script (issue
 * 16) for the pages that run passkey ceremonies; GET /assets/copy.js — the developer portal's copy
 * buttons (issue 20); GET /assets/webauthn/<version>/… — the ESM build
 * of @simplewebauthn/browser it imports. All read once at start and served from our origin: the
 * pages' CSP allows scripts from 'self' only, and nothing is loaded from elsewhere.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { STYLESHEET } from '../views/layout.tsx';
import { BUILT_IN_MARK, LOGO } from './logo.ts';
import { COPY_SCRIPT, FAVICON, ICON, PASSKEYS_SCRIPT, WEBAUTHN_LIBRARY_BASE, WEBAUTHN_LIBRARY_DIR } from './paths.ts';

const css = readFileSync(new URL('./tessera.css', import.meta.url), 'utf8');
/** Our own scripts by path. */
const scripts = new Map([
  [PASSKEYS_SCRIPT, readFileSync(new URL('./passkeys.js', import.meta.url), 'utf8')],
  [COPY_SCRIPT, readFileSync(new URL('./copy.js', import.meta.url), 'utf8')],
]);

/** The library's JavaScript files by path relative to its ESM directory (a Map: request paths never become object keys). */
function libraryFiles(): Map<string, string> {
  const dir = fileURLToPath(WEBAUTHN_LIBRARY_DIR);
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/**
 * An SVG opened on its own is a document that could run script: nothing may load or run in it but
 * its own inline styles (the pages only ever show it as an <img>, which runs none anyway).
 */
export const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

export default async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get(STYLESHEET, async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css);
  });

  const logo = app.brand.logo;
  for (const [path, image, cache] of [
    [ICON, { contentType: 'image/svg+xml', bytes: BUILT_IN_MARK }, 'public, max-age=3600'],
    // The pages link `LOGO?v=<digest of the bytes>` (logo.ts): a new logo is a new address, so this one can be kept for good.
    [LOGO, logo, 'public, max-age=31536000, immutable'],
    // Browsers ask for it unprompted, by a name that cannot carry a version.
    [FAVICON, logo, 'public, max-age=3600'],
  ] as const) {
    app.get(path, async (_request, reply) => {
      reply.header('content-type', image.contentType).header('content-security-policy', IMAGE_CSP).header('cache-control', cache).send(image.bytes);
    });
  }

  for (const [path, script] of scripts) {
    app.get(path, async (_request, reply) => {
      reply.header('content-type', JAVASCRIPT).header('cache-control', 'public, max-age=3600').send(script);
    });
  }

  const library = libraryFiles();
  app.get(`${WEBAUTHN_LIBRARY_BASE}*`, async (request, reply) => {
    const file = library.get((request.params as { '*': string })['*']);
    if (file === undefined) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
    // The path names the version, which npm never republishes: the file can be kept for good.
    return reply.header('content-type', JAVASCRIPT).header('cache-control', 'public, max-age=31536000, immutable').send(file);
  });
}
