/**
 * What Tessera says of itself as a Shared Signals transmitter (OpenID SSF 1.0, issue 19). There is
 * one stream per app and it is the app's registration: its `ssf_endpoint_url` (set with the CLI,
 * the portal or dynamic registration) is the stream's push endpoint (RFC 8935), its client id is
 * the stream's id and audience, and every CAEP event Tessera emits is delivered. So streams are
 * read here and never created, changed or deleted through the SSF API (§8.1.1).
 * @module
 */
import type { App } from '../../domain/apps.ts';
import { SECURITY_EVENT_TYPES } from '../../domain/security_events.ts';
import { ENDPOINTS } from '../endpoints.ts';
import type { StreamConfiguration, TransmitterMetadata } from './schemas.ts';

/** RFC 8935: push delivery, the only method offered. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';

export function transmitterMetadata(issuer: string): TransmitterMetadata {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: issuer + ENDPOINTS.jwks,
    delivery_methods_supported: [PUSH_DELIVERY],
    configuration_endpoint: issuer + ENDPOINTS.ssfStream,
    // §7.1.1: the receiver authenticates as its OAuth client (RFC 6749 §2.3.1, client_secret_basic).
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    // §7.1: every subject of the app (each person with a grant) is in its stream; none are added.
    default_subjects: 'ALL',
  };
}

/** §8.1.1 stream configuration of `app`; undefined when it registered no endpoint. */
export function streamOf(issuer: string, app: App): StreamConfiguration | undefined {
  if (!app.ssfEndpointUrl) return undefined;
  const events = [...SECURITY_EVENT_TYPES];
  return {
    stream_id: app.id,
    iss: issuer,
    aud: app.id,
    delivery: { method: PUSH_DELIVERY, endpoint_url: app.ssfEndpointUrl },
    events_supported: events,
    events_requested: events,
    events_delivered: events,
    description: "The app's registration is its stream; change the endpoint where the app is registered.",
  };
}
