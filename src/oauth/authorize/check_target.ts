/**
 * Step 1: where the response may go. SECURITY 1, 40: an ambiguous, unknown or unregistered target
 * is never redirected to; nor is a response too large to deliver (check_state.ts). /authorize
 * renders these refusals as a page; /par answers them as JSON (RFC 9126 §2.3).
 * @module
 */
import type { App } from '../../domain/apps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { InvalidRedirectUri } from '../errors.ts';
import { assembleParams, duplicated, type Params } from '../../http/params.ts';
import { TARGET_PARAMS } from './params.ts';
import { checkStateLength } from './check_state.ts';
import { checkRedirectUri, type RedirectTarget } from './check_redirect_uri.ts';

/** client_id and redirect_uri, each sent at most once, and a `state` short enough to echo. */
export function targetParams(sources: (RawParams | undefined)[]): Params<(typeof TARGET_PARAMS)[number]> {
  const repeated = duplicated(TARGET_PARAMS, ...sources);
  if (repeated.length > 0) throw new InvalidRedirectUri(`repeated ${repeated[0]}`);
  for (const source of sources) checkStateLength(source?.state);
  return assembleParams(TARGET_PARAMS, ...sources);
}

/** The verified redirect URI of a request from `app`. */
export function checkTarget(app: App, sources: (RawParams | undefined)[]): RedirectTarget {
  return checkRedirectUri(app, targetParams(sources).redirect_uri, asksForOpenId(sources));
}

/** Whether `scope` names openid, read leniently: a repeated or malformed scope is step 2's error. */
function asksForOpenId(sources: (RawParams | undefined)[]): boolean {
  return sources.some((source) => {
    const scope = source?.scope;
    return typeof scope === 'string' && scope.split(' ').includes('openid');
  });
}
