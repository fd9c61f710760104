/**
 * The `request_uri` of a pushed authorization request (RFC 9126 §2.2): the URN prefix the RFC
 * recommends, then 256 random bits (§7.1: it must not be guessable). Stored only as its digest.
 * @module
 */
import { randomToken, looksLike } from './random.ts';
import { digest } from './digest.ts';

export function randomRequestUri(): string {
  return randomToken('requestUri');
}

/** Cheap rejection before any lookup: only values of this shape are ours. */
export function isPushedRequestUri(value: string): boolean {
  return looksLike('requestUri', value);
}

/** The row id of a pushed request. */
export function pushedRequestId(requestUri: string): string {
  return digest(requestUri);
}
