/** What every grant handler receives: the authenticated client and the token request. */
import type { Deps } from '../../../deps.ts';
import type { App } from '../../../domain/apps.ts';
import type { TokenParams } from '../params.ts';
import type { TokenResponse } from '../schemas.ts';

export interface GrantRequest {
  deps: Deps;
  client: App;
  params: TokenParams;
  ip: string;
}

export type GrantHandler = (request: GrantRequest) => Promise<TokenResponse>;
