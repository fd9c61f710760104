/**
 * Step 2b: `id_token_hint` (OIDC Core §3.1.2.1). A hint must be an ID token this server issued to
 * this client (expired is fine); it names the person the client expects. When someone else is
 * signed in, the person is asked to sign in again, and `prompt=none` answers login_required.
 * A hint that is not ours is refused as invalid_request (at the redirect URI, after sign-in).
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { AuthorizationRequest } from '../../domain/interactions.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { TokenRejected, verifyIdTokenHint } from '../../crypto/jwt.ts';
import { InvalidRequest } from '../errors.ts';
import { assembleParams, duplicated } from '../../http/params.ts';

export async function checkIdTokenHint(
  deps: Pick<Deps, 'keys' | 'config'>,
  request: AuthorizationRequest,
  sources: (RawParams | undefined)[],
): Promise<AuthorizationRequest> {
  if (request.refused || duplicated(['id_token_hint'], ...sources).length > 0) return request;
  const hint = assembleParams(['id_token_hint'], ...sources).id_token_hint;
  if (hint === undefined) return request;
  try {
    const subject = await verifyIdTokenHint(deps.keys.keys, hint, { issuer: deps.config.issuer, clientId: request.clientId });
    return { ...request, hintSubject: subject };
  } catch (err) {
    if (!(err instanceof TokenRejected)) throw err;
    const refused = new InvalidRequest(`id_token_hint rejected: ${err.reason}`);
    return { ...request, refused: { error: refused.error, description: refused.description } };
  }
}
