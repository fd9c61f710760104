/**
 * Step 2b: `id_token_hint` (OIDC Core §3.1.2.1). A hint must be an ID token this server issued to
 * this client (expired is fine); it names the person the client expects. When someone else is
 * signed in, the person is asked to sign in again, and `prompt=none` answers login_required.
 * A hint that is not ours is refused as invalid_request: `verifyHint` decides (and /par answers
 * it directly, RFC 9126 §2.3); `checkIdTokenHint` keeps it for the redirect URI, after sign-in.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { AuthorizationRequest } from '../../domain/interactions.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { TokenRejected, verifyIdTokenHint } from '../../crypto/jwt.ts';
import { InvalidRequest } from '../errors.ts';
import { assembleParams, duplicated } from '../../http/params.ts';

type HintDeps = Pick<Deps, 'keys' | 'config'>;

/** The subject the hint names, undefined without a hint, or InvalidRequest for one not ours. */
export async function verifyHint(deps: HintDeps, clientId: string, sources: (RawParams | undefined)[]): Promise<string | undefined> {
  const hint = assembleParams(['id_token_hint'], ...sources).id_token_hint;
  if (hint === undefined) return undefined;
  try {
    return await verifyIdTokenHint(deps.keys.keys, hint, { issuer: deps.config.issuer, clientId });
  } catch (err) {
    if (!(err instanceof TokenRejected)) throw err;
    throw new InvalidRequest(`id_token_hint rejected: ${err.reason}`);
  }
}

export async function checkIdTokenHint(deps: HintDeps, request: AuthorizationRequest, sources: (RawParams | undefined)[]): Promise<AuthorizationRequest> {
  if (request.refused || duplicated(['id_token_hint'], ...sources).length > 0) return request;
  try {
    const subject = await verifyHint(deps, request.clientId, sources);
    return subject === undefined ? request : { ...request, hintSubject: subject };
  } catch (err) {
    if (!(err instanceof InvalidRequest)) throw err;
    return { ...request, refused: { error: err.error, description: err.description } };
  }
}
