/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 30-second steps,
 * 6 digits, as every authenticator app expects. A code from the previous or next step is
 * accepted for clock drift (RFC 6238 §5.2); the caller refuses a step at or before the last one
 * used, so a code is good once. Also recovery codes and the pending sign-in token.
 * @module
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { constantEquals } from './digest.ts';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new secret: 160 bits (RFC 4226 §4 recommends at least that), in base32 without padding. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226 §5.3): dynamic truncation of HMAC-SHA-1 over the 8-byte counter. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** TOTP_DIGITS;
  return binary.toString().padStart(TOTP_DIGITS, '0');
}

export function totpStep(epochSeconds: number): number {
  return Math.floor(epochSeconds / TOTP_STEP_SECONDS);
}

/** The code for a time (for tests and for showing nothing else). */
export function totpCode(secretBase32: string, epochSeconds: number): string {
  return hotp(base32Decode(secretBase32), totpStep(epochSeconds));
}

/**
 * The time step whose code matches, looking at the current step and one on each side, or
 * undefined. Steps at or before `lastStep` are never matched (replay, RFC 6238 §5.2).
 */
export function matchTotp(secretBase32: string, code: string, epochSeconds: number, lastStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const secret = base32Decode(secretBase32);
  const now = totpStep(epochSeconds);
  let matched: number | undefined;
  for (const step of [now - 1, now, now + 1]) {
    // Every candidate is computed and compared, so timing does not say which one matched.
    const ok = constantEquals(hotp(secret, step), code);
    if (ok && (lastStep === null || step > lastStep) && matched === undefined) matched = step;
  }
  return matched;
}

/** The otpauth URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(secretBase32: string, issuerName: string, account: string): string {
  const label = encodeURIComponent(`${issuerName}:${account}`);
  const query = new URLSearchParams({ secret: secretBase32, issuer: issuerName, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query}`;
}

/** A recovery code: 10 base32-ish characters (50 bits) in two groups, easy to type. */
export function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  let code = '';
  for (let i = 0; i < 10; i++) code += alphabet[randomInt(alphabet.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Recovery codes are compared lowercased, without spaces or dashes. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** The cookie value of a pending sign-in: 256 random bits. */
export function newPendingToken(): string {
  return randomBytes(32).toString('base64url');
}
