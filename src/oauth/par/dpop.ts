/**
 * A DPoP proof at /par (RFC 9449 §10.1): like `dpop_jkt`, it binds the code the pushed request
 * leads to to the proof's key, so only that key redeems it at /token (token/dpop.ts). A `dpop_jkt`
 * sent with a proof must be that key's thumbprint.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { PushedParams } from '../../domain/pushed_requests.ts';
import { InvalidDpopProof } from '../errors.ts';
import { proofKey } from '../token/dpop.ts';
import { ENDPOINTS } from '../endpoints.ts';

/** The pushed parameters with `dpop_jkt` set from the request's proof, when it carried one. */
export async function bindToProof(deps: Deps, request: FastifyRequest, params: PushedParams): Promise<PushedParams> {
  const header = request.headers.dpop;
  if (header === undefined) return params;
  const jkt = await proofKey(deps, header, ENDPOINTS.pushedAuthorizationRequest);
  // §10.1: "the authorization server MUST ensure that the dpop_jkt parameter value matches".
  if (params.dpop_jkt !== undefined && params.dpop_jkt !== jkt) throw new InvalidDpopProof('dpop_jkt is not the thumbprint of the proof key');
  return { ...params, dpop_jkt: jkt };
}
