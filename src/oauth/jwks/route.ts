/** GET /.well-known/jwks.json: the public signing keys, current and previous (OIDC Core §10.1.1). */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { ENDPOINTS } from '../endpoints.ts';

export default async function jwksRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ENDPOINTS.jwks, async (_request, reply) => {
    reply
      .header('content-type', 'application/jwk-set+json; charset=utf-8')
      // Short: a rotation must reach verifiers well before the previous key is retired.
      .header('cache-control', 'public, max-age=60')
      .header('access-control-allow-origin', '*')
      .send(deps.keys.keys.jwks());
  });
  rejectOtherMethods(app, ENDPOINTS.jwks, ['GET']);
}
