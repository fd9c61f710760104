/** openid-client playing the third-party service: the authorization request it builds. */
import * as oidc from 'openid-client';

/** One authorization request and the secrets the service keeps to check its answer. */
export interface Flow {
  url: URL;
  verifier: string;
  state: string;
  nonce?: string;
}

/** An authorization request as openid-client builds it: PKCE S256, state, and a nonce unless `nonce: false`. */
export async function startFlow(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}, nonce = true): Promise<Flow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const n = nonce ? oidc.randomNonce() : undefined;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(n === undefined ? {} : { nonce: n }),
    ...extra,
  });
  return { url, verifier, state, ...(n === undefined ? {} : { nonce: n }) };
}
