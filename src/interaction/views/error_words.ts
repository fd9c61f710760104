/**
 * What an error page tells a person (issue 20), per error: what happened, in plain words. The one
 * table of this text; the page (error_page.tsx) adds the next step, naming the service when it is
 * known, and keeps the protocol's code and description below for the service's developer.
 * Keyed by error class (a Map: never by a name anyone chose).
 * @module
 */
import { AppSuspended, InvalidRedirectUri, InvalidRequest, type OAuthError, TemporarilyUnavailable, UnknownClient } from '../../oauth/errors.ts';
import { InteractionExpired } from '../../services/interactions.ts';

export interface ErrorWords {
  /** The page's heading and title. */
  headline: string;
  /** What happened, in a sentence a person can act on. */
  what: string;
  /** Whether going back and trying again can help (not for a suspended service). */
  retry: boolean;
}

type ErrorClass = abstract new (...args: never[]) => OAuthError;

const WORDS = new Map<ErrorClass, ErrorWords>([
  // RFC 6749 §4.1.2.1: these two are never sent back to the service, so the person must hear it here.
  [UnknownClient, { headline: 'This link is broken', what: 'The link that brought you here names a service that is not registered on this platform.', retry: true }],
  [InvalidRedirectUri, { headline: 'This link is broken', what: 'The service sent you here without a return address it has registered, so you cannot be sent back to it from here.', retry: true }],
  [InvalidRequest, { headline: 'This link is broken', what: 'The link or form that brought you here is incomplete, out of date, or was already used.', retry: true }],
  [AppSuspended, { headline: 'This service is unavailable', what: 'The platform has suspended this service: nobody can sign in to it for now.', retry: false }],
  [InteractionExpired, { headline: 'This sign-in has expired', what: 'It was started too long ago, or it was already finished.', retry: true }],
  [TemporarilyUnavailable, { headline: 'This cannot be done right now', what: 'The platform is busy or restarting. Wait a moment.', retry: true }],
]);

const CLIENT_ERROR: ErrorWords = { headline: 'This request cannot be completed', what: 'Something in the link or form that brought you here is not right.', retry: true };
const SERVER_ERROR: ErrorWords = { headline: 'Something went wrong', what: 'The platform could not finish this.', retry: true };

export function errorWords(err: OAuthError, status: number): ErrorWords {
  return WORDS.get(err.constructor as ErrorClass) ?? (status >= 500 ? SERVER_ERROR : CLIENT_ERROR);
}
