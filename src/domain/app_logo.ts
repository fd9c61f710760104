/**
 * Uploaded logos: PNG or JPEG up to 256 KB, recognised by their magic bytes, never by the name or
 * the type the browser claims; re-served from our origin so the approval page loads nothing from
 * elsewhere (SECURITY 39, 50).
 * @module
 */
import type { AppLogo } from './apps.ts';

export const MAX_LOGO_BYTES = 256 * 1024;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** Whether the bytes start with the PNG signature (PNG §5.2); also the product logo's check (config/brand.ts). */
export function isPng(bytes: Buffer): boolean {
  return bytes.subarray(0, PNG.length).equals(PNG);
}

/** The logo, or undefined when the bytes are neither PNG nor JPEG or too large. */
export function sniffLogo(bytes: Buffer): AppLogo | undefined {
  if (bytes.length === 0 || bytes.length > MAX_LOGO_BYTES) return undefined;
  if (isPng(bytes)) return { contentType: 'image/png', bytes };
  if (bytes.subarray(0, JPEG.length).equals(JPEG)) return { contentType: 'image/jpeg', bytes };
  return undefined;
}

/** The stable public address of an app's logo. */
export function logoPath(appId: string): string {
  return `/developers/logos/${encodeURIComponent(appId)}`;
}
