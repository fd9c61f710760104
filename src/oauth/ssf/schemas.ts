/** The answers of the Shared Signals transmitter (OpenID SSF 1.0 §7.1, §8.1.1; issue 19). */
import { Type, type Static } from 'typebox';

/** §7.1 transmitter configuration metadata. */
export const TransmitterMetadata = Type.Object({
  spec_version: Type.String(),
  issuer: Type.String(),
  jwks_uri: Type.String(),
  delivery_methods_supported: Type.Array(Type.String()),
  configuration_endpoint: Type.String(),
  /** §7.1.1: how a receiver authenticates at the configuration endpoint. */
  authorization_schemes: Type.Array(Type.Object({ spec_urn: Type.String() })),
  default_subjects: Type.String(),
});
export type TransmitterMetadata = Static<typeof TransmitterMetadata>;

/** §8.1.1 stream configuration, as Tessera keeps it: one per app, read only. */
export const StreamConfiguration = Type.Object({
  stream_id: Type.String(),
  iss: Type.String(),
  aud: Type.String(),
  delivery: Type.Object({ method: Type.String(), endpoint_url: Type.String() }),
  events_supported: Type.Array(Type.String()),
  events_requested: Type.Array(Type.String()),
  events_delivered: Type.Array(Type.String()),
  description: Type.String(),
});
export type StreamConfiguration = Static<typeof StreamConfiguration>;

/** §8.1.1.2: `stream_id` names one stream; without it, every stream of the receiver (a list). */
export const StreamQuery = Type.Object({ stream_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
