/**
 * The upstream sign-in in flight, bound to this browser (SECURITY 47): a cookie of 256 random
 * bits whose digest names a server-side record holding `state`, `nonce`, the PKCE verifier, the
 * directory and issuer it began with (SECURITY 5) and the pending authorization. It lives ten
 * minutes and is used once: the callback consumes it before anything else.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { Directory, DirectoryTransaction } from '../../domain/directories.ts';
import { digest } from '../../crypto/digest.ts';
import { upstreamRandom } from '../../crypto/directory_secrets.ts';

export const TRANSACTION_SECONDS = 600;

type TransactionDeps = Pick<Deps, 'config' | 'clock' | 'stores'>;

export function transactionCookieName(config: Deps['config']): string {
  return config.secure ? '__Host-tessera_directory' : 'tessera_directory';
}

// SameSite=Lax: the directory sends the browser back with a top-level GET, which carries it.
function cookieOptions(config: Deps['config']) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secure, maxAge: TRANSACTION_SECONDS };
}

export async function startTransaction(
  deps: TransactionDeps,
  reply: FastifyReply,
  directory: Directory,
  begun: { issuer: string; state: string; nonce: string; codeVerifier: string },
  interactionId: string | null,
): Promise<void> {
  const value = upstreamRandom();
  const now = deps.clock.now();
  await deps.stores.directories.createTransaction({
    id: digest(value),
    directoryId: directory.id,
    issuer: begun.issuer,
    state: begun.state,
    nonce: begun.nonce,
    codeVerifier: begun.codeVerifier,
    interactionId,
    createdAt: now,
    expiresAt: now + TRANSACTION_SECONDS,
  });
  reply.setCookie(transactionCookieName(deps.config), value, cookieOptions(deps.config));
}

/** Takes this browser's transaction (once) and clears its cookie; undefined when there is none to take. */
export async function takeTransaction(deps: TransactionDeps, request: FastifyRequest, reply: FastifyReply): Promise<DirectoryTransaction | undefined> {
  const name = transactionCookieName(deps.config);
  const value = request.cookies[name];
  if (value !== undefined) reply.clearCookie(name, { ...cookieOptions(deps.config), maxAge: undefined });
  if (!value || value.length !== 43) return undefined;
  return deps.stores.directories.consumeTransaction(digest(value), deps.clock.now());
}
