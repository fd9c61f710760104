/**
 * Answers 405 with `Allow` for the methods a route does not take (RFC 9110 §15.5.6); without this
 * Fastify would answer 404, which tells a client the endpoint does not exist (SECURITY 42).
 * @module
 */
import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const;

export function rejectOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const taken = new Set(allowed);
  if (taken.has('GET')) taken.add('HEAD'); // Fastify answers HEAD for every GET route.
  const others = METHODS.filter((m) => !taken.has(m));
  app.route({
    method: others,
    url,
    config: { csrf: { kind: 'exempt', why: 'answers 405 and changes nothing' } },
    handler: async (_request, reply) => {
      reply
        .code(405)
        .header('allow', [...taken].join(', '))
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', error_description: 'This method is not allowed here.' });
    },
  });
}
