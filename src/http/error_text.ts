/**
 * RFC 6749 §5.2 (SECURITY 44): `error_description` may hold only %x20-21 / %x23-5B / %x5D-7E.
 * Messages that quote what the client sent (a scope, a redirect URI) would otherwise carry its
 * NUL, CR/LF, quotes, backslashes or non-ASCII back out; "§" in our own texts is spelled out.
 * @module
 */
export function errorText(text: string): string {
  return text
    .replaceAll('§', 'section ')
    .replaceAll('"', "'")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?');
}
