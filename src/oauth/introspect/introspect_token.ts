/** The state of one token as seen by the client that asks (RFC 7662 §2.2). */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { checkAccessToken } from '../../core/access_tokens.ts';
import type { IntrospectionResponse } from './schemas.ts';

const INACTIVE: IntrospectionResponse = { active: false };

export async function introspect(deps: Deps, client: App, token: string): Promise<IntrospectionResponse> {
  // Refresh tokens are not introspectable by policy: only their own client holds them anyway.
  const result = await checkAccessToken(deps, token);
  if (!result.ok) return INACTIVE;
  const { claims } = result;
  // Another client's token: RFC 7662 §4 lets the server answer inactive rather than reveal it.
  if (claims.client_id !== client.id) return INACTIVE;
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    aud: claims.aud,
    iss: claims.iss,
    token_type: 'Bearer',
    jti: claims.jti,
  };
}
