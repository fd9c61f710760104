/**
 * The product's name and logo as people see them (issue 20): `PRODUCT_NAME` and `PRODUCT_LOGO`.
 * The logo file is read once, here, at boot: a missing, oversized or foreign file stops the boot
 * with a `ConfigError` instead of a broken image on every sign-in page.
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { MAX_LOGO_BYTES, isPng } from '../domain/app_logo.ts';
import { ConfigError } from './errors.ts';

export interface ProductLogo {
  contentType: 'image/svg+xml' | 'image/png';
  bytes: Buffer;
}

export interface BrandConfig {
  /** The platform's name in every page header and title and in mail. @default "Tessera" (`PRODUCT_NAME`) */
  productName: string;
  /**
   * An SVG or PNG file (at most 256 KiB) shown beside the name in every page header and as the
   * pages' icon. Unset: the built-in Tessera mark. (`PRODUCT_LOGO`)
   */
  logo?: ProductLogo;
}

export const MAX_PRODUCT_NAME = 40;

/**
 * Letters, digits, spaces and a little punctuation: the name goes into page titles and, quoted,
 * into the From header of mail (config.ts mailFrom), so no quote, angle bracket or control
 * character can reach either.
 */
const PLAIN_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M} .'’&+!_-]*[\p{L}\p{N}\p{M}.!])?$/u;

export function productNameFrom(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'Tessera';
  if ([...raw].length > MAX_PRODUCT_NAME || !PLAIN_NAME.test(raw)) {
    throw new ConfigError(
      `PRODUCT_NAME must be 1 to ${MAX_PRODUCT_NAME} characters of letters, digits, spaces and . ' & + ! _ -, starting with a letter or digit; got "${raw.slice(0, 60)}"`,
    );
  }
  return raw;
}

/** An SVG document: an optional XML declaration, comments or doctype, then the `<svg` root. */
const SVG_ROOT = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/;

export function productLogoFrom(path: string | undefined): ProductLogo | undefined {
  if (path === undefined || path === '') return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConfigError(`PRODUCT_LOGO cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${path}`);
  }
  if (bytes.length === 0 || bytes.length > MAX_LOGO_BYTES) {
    throw new ConfigError(`PRODUCT_LOGO must be a file of 1 byte to ${MAX_LOGO_BYTES / 1024} KiB, got ${bytes.length} bytes: ${path}`);
  }
  // The extension and the bytes must agree: the content type is decided here once, never sniffed by a browser.
  const extension = extname(path).toLowerCase();
  if (extension === '.png' && isPng(bytes)) return { contentType: 'image/png', bytes };
  if (extension === '.svg' && SVG_ROOT.test(bytes.subarray(0, 4096).toString('utf8'))) return { contentType: 'image/svg+xml', bytes };
  throw new ConfigError(`PRODUCT_LOGO must be an SVG (.svg) or PNG (.png) image whose content matches its name: ${path}`);
}
