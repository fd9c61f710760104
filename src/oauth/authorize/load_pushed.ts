/**
 * Step 0, RFC 9126 §4: a `request_uri` this server issued at /par stands for the whole request.
 * It is taken once (§7.3), only by the client that pushed it, while it lives (§2.2: 60 s); the
 * pushed parameters then replace every front-channel one but client_id (§4), and go through the
 * same steps as any request: validated again, and kept in an interaction through sign-in and
 * approval, so taking it once is what makes it single-use. A request_uri of any other shape is
 * a Request Object by reference, refused as before (check_request_object.ts).
 * Unknown, expired, used or another client's: a page (the redirect URI is inside the request).
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { isPushedRequestUri, pushedRequestId } from '../../crypto/request_uris.ts';
import { InvalidRequest } from '../errors.ts';
import { assembleParams, duplicated } from '../../http/params.ts';
import { checkClient } from './check_client.ts';

export interface LoadedRequest {
  /** Where the request's parameters come from: the pushed ones, or the query and the body. */
  sources: (RawParams | undefined)[];
  /** The client that pushed the request, already checked (step 1 need not read it again); undefined when nothing was pushed. */
  pushedBy?: App;
}

export async function loadPushed(deps: Pick<Deps, 'clients' | 'stores' | 'clock' | 'suspensions'>, front: (RawParams | undefined)[]): Promise<LoadedRequest> {
  const notPushed = { sources: front };
  if (duplicated(['request_uri'], ...front).length > 0) return notPushed;
  const requestUri = assembleParams(['request_uri'], ...front).request_uri;
  if (requestUri === undefined || !isPushedRequestUri(requestUri)) return notPushed;
  const app = await checkClient(deps, assembleParams(['client_id'], ...front).client_id);
  const params = await deps.stores.pushedRequests.take(pushedRequestId(requestUri), app.id, deps.clock.now());
  if (!params) throw new InvalidRequest('request_uri unknown, expired, used, or pushed by another client');
  return { sources: [params], pushedBy: app };
}
