/**
 * client_secret_basic (RFC 6749 §2.3.1): `Authorization: Basic base64(id ":" secret)`, where id and
 * secret are each application/x-www-form-urlencoded before base64 (so a secret may hold `%+:`).
 * @module
 */
import { InvalidClient } from '../errors.ts';
import type { PresentedClient } from './presented.ts';

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new InvalidClient('basic credentials are not form-urlencoded');
  }
}

/** The credentials of a Basic header; undefined when the header is absent or another scheme. */
export function fromBasicHeader(header: string | undefined): PresentedClient | undefined {
  if (header === undefined || !/^basic(\s|$)/i.test(header)) return undefined;
  const match = BASIC.exec(header);
  if (!match) throw new InvalidClient('malformed basic header');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClient('basic credentials without client id or colon');
  const clientId = formDecode(decoded.slice(0, colon));
  if (clientId === '') throw new InvalidClient('empty client id');
  return { method: 'client_secret_basic', clientId, secret: formDecode(decoded.slice(colon + 1)) };
}
