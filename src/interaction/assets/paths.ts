/**
 * Where the scripts of the pages that run passkey ceremonies (issue 16) are served, from Tessera's
 * own origin (the stylesheet: views/layout.tsx): our one script and the WebAuthn browser library it
 * imports (@simplewebauthn/browser's ESM build). The library's path names its version, so it is
 * cached as immutable; a new version is a new path.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The built-in brand mark (./tessera.svg); `/favicon.ico`, which browsers ask for unprompted, answers the product logo (logo.ts). */
export const ICON = '/assets/tessera.svg';
export const FAVICON = '/favicon.ico';

/** Our first-party script: plain JavaScript, no build step (./passkeys.js). */
export const PASSKEYS_SCRIPT = '/assets/passkeys.js';

/** The developer portal's copy buttons (./copy.js, issue 20): plain JavaScript, no build step. */
export const COPY_SCRIPT = '/assets/copy.js';

/** The ESM build of @simplewebauthn/browser, as installed (its package exports `script/` to require, `esm/` to import). */
export const WEBAUTHN_LIBRARY_DIR = new URL('../esm/', pathToFileURL(createRequire(import.meta.url).resolve('@simplewebauthn/browser')));

const version = (JSON.parse(readFileSync(new URL('../package.json', WEBAUTHN_LIBRARY_DIR), 'utf8')) as { version: string }).version;

/** The library's files are served under this prefix; its entry point is `${WEBAUTHN_LIBRARY_BASE}index.js`. */
export const WEBAUTHN_LIBRARY_BASE = `/assets/webauthn/${encodeURIComponent(version)}/`;
export const WEBAUTHN_LIBRARY = `${WEBAUTHN_LIBRARY_BASE}index.js`;
