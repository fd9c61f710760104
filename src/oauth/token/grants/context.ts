/** What every grant handler receives: the authenticated client and the token request. */
import type { Deps } from '../../../deps.ts';
import type { App } from '../../../domain/apps.ts';
import type { TokenParams } from '../params.ts';
import type { TokenResponse } from '../schemas.ts';
import type { TokenProof } from '../dpop.ts';

export interface GrantRequest {
  deps: Deps;
  client: App;
  params: TokenParams;
  ip: string;
  /** The request's valid DPoP proof, if it carried one (RFC 9449 §5). */
  dpop?: TokenProof;
}

export type GrantHandler = (request: GrantRequest) => Promise<TokenResponse>;
