/**
 * Issuing the authorization code (RFC 6749 §4.1.2): 256 random bits, stored only as a digest,
 * bound to the client, the redirect URI as sent, the PKCE challenge, the grant and the sign-in.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { Interaction } from '../../domain/interactions.ts';
import type { Session } from '../../domain/sessions.ts';
import { digest } from '../../crypto/digest.ts';
import { randomId, randomToken } from '../../crypto/random.ts';
import { sidOf } from '../../crypto/session_ids.ts';
import { responseUrl } from './respond.ts';
import { refuseSuspendedApp } from './check_client.ts';

/**
 * Stores a new code for the interaction's request and returns the success redirect URL. `scopes`
 * are what the person approved: the request's, or fewer when they unticked some.
 */
export async function issueCode(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'suspensions' | 'formKey'>,
  interaction: Interaction,
  session: Session,
  grantId: string,
  scopes: string[] = interaction.request.scopes,
): Promise<string> {
  const { request } = interaction;
  // Issue 21: suspended while the person was signing in or consenting — still never a code.
  refuseSuspendedApp(deps, interaction.appId);
  const now = deps.clock.now();
  const code = randomToken('authorizationCode');
  // Back-Channel Logout §2.4, §2.5: the ID token names the session, and the app is named with it
  // in the code's own write, so signing out reaches it.
  const sid = sidOf(deps.formKey, session.id);
  await deps.stores.tokens.createCode({
    id: digest(code),
    appId: interaction.appId,
    userId: session.userId,
    grantId,
    // The family its refresh tokens will join, known now so a replayed code can revoke them (RFC 6749 §4.1.2).
    familyId: randomId(),
    // RFC 6749 §4.1.3: the token request must repeat redirect_uri exactly when it was sent; '' = it was not.
    redirectUri: request.redirectUriSent ? request.redirectUri : '',
    scopes,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce ?? null,
    authTime: session.authTime,
    amr: session.amr,
    createdAt: now,
    expiresAt: now + deps.config.ttl.authorizationCode,
    consumedAt: null,
    dpopJkt: request.dpopJkt ?? null,
    sid,
  }, session.id);
  return responseUrl(request, deps.config.issuer, { code });
}
