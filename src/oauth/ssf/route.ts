/**
 * The Shared Signals transmitter endpoints (OpenID SSF 1.0, issue 19):
 * - GET /.well-known/ssf-configuration (§7.1): public metadata, like discovery.
 * - GET /ssf/stream (§8.1.1.2): the calling app's stream configuration. The receiver authenticates
 *   as its confidential client, as at /introspect (oauth/client_auth: client_secret_basic, the same
 *   throttle, a suspended app refused). Only its own stream exists for it: `stream_id` naming
 *   another is a 404, and without `stream_id` the answer is a list of zero or one stream (§8.1.1.2).
 *   Creating, changing and deleting streams are not offered (the registration is the stream): 405.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { authenticateClient } from '../client_auth/index.ts';
import { noStore, rejectCredentialsInQuery } from '../client_auth/back_channel.ts';
import { StreamConfiguration, StreamQuery, TransmitterMetadata } from './schemas.ts';
import { streamOf, transmitterMetadata } from './configuration.ts';

const NotFound = Type.Object({ error: Type.String(), error_description: Type.String() });

export default async function ssfRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  const { issuer } = deps.config;
  const metadata = transmitterMetadata(issuer);

  app.get(ENDPOINTS.ssfConfiguration, { schema: { response: { 200: TransmitterMetadata } } }, async (_request, reply) => {
    // Read by receivers' servers, not by pages: no CORS (http/cors.ts keeps that table).
    reply.header('cache-control', 'public, max-age=300');
    return metadata;
  });
  rejectOtherMethods(app, ENDPOINTS.ssfConfiguration, ['GET']);

  app.get<{ Querystring: { stream_id?: string } }>(
    ENDPOINTS.ssfStream,
    { schema: { querystring: StreamQuery, response: { 200: Type.Union([StreamConfiguration, Type.Array(StreamConfiguration)]), 404: NotFound } } },
    async (request, reply) => {
      noStore(reply);
      rejectCredentialsInQuery(request.query, ['client_id', 'client_secret']);
      // Credentials only in the Authorization header (client_secret_basic): a GET has no form body.
      const client = await authenticateClient(deps, request, {}, { allowPublic: false });
      const stream = streamOf(issuer, client);
      const wanted = request.query.stream_id;
      if (wanted === undefined) return stream ? [stream] : [];
      if (!stream || wanted !== stream.stream_id) return reply.code(404).send({ error: 'not_found', error_description: 'No such stream.' });
      return stream;
    },
  );
  rejectOtherMethods(app, ENDPOINTS.ssfStream, ['GET']);
}
