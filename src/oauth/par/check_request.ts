/**
 * RFC 9126 §2.1: a pushed request is validated as /authorize would validate it, by the very same
 * steps (authorize/check_target.ts, validate.ts, check_id_token_hint.ts); here every refusal is
 * thrown and answered directly as JSON (§2.3) instead of a page or a redirect.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { PushedParams } from '../../domain/pushed_requests.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { assembleParams } from '../../http/params.ts';
import { InvalidRequest } from '../errors.ts';
import { AUTHORIZE_PARAMS } from '../authorize/params.ts';
import { checkTarget } from '../authorize/check_target.ts';
import { checkParams } from '../authorize/validate.ts';
import { verifyHint } from '../authorize/check_id_token_hint.ts';

/** The parameters kept: what /authorize reads, never the client's credentials. */
const KEPT = AUTHORIZE_PARAMS.filter((name) => name !== 'request' && name !== 'request_uri');

/** RFC 9126 §2.1: "The request_uri authorization request parameter is one exception, and it MUST NOT be provided." */
function rejectRequestUri(body: RawParams): void {
  if (body.request_uri !== undefined) throw new InvalidRequest('request_uri inside a pushed request');
}

export async function checkPushedRequest(deps: Pick<Deps, 'config' | 'keys'>, client: App, body: RawParams): Promise<PushedParams> {
  rejectRequestUri(body);
  // The authenticated client's id: client_auth refused any other beside Basic credentials, and a
  // body client_id is how client_secret_post and public clients named themselves (RFC 9126 §2.1).
  const sources = [{ ...body, client_id: client.id }];
  // §2.3: where /authorize would show a page instead of redirecting (a missing, repeated or
  // unregistered redirect URI), the answer is invalid_request.
  checkTarget(client, sources);
  checkParams(deps.config.issuer, client, sources, false);
  await verifyHint(deps, client.id, sources);
  const params = assembleParams([...KEPT], ...sources);
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
