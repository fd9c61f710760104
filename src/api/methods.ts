/**
 * 405 with `Allow` (RFC 9110 §15.5.6) for methods an API path does not take, as a problem
 * document; hidden from the OpenAPI document and answered without a token (it reveals nothing).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './problem.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const;

export function apiMethods(api: FastifyInstance, allowed: Record<string, readonly string[]>): void {
  for (const [url, methods] of Object.entries(allowed)) {
    const taken = new Set(methods);
    if (taken.has('GET')) taken.add('HEAD'); // Fastify answers HEAD for every GET route.
    api.route({
      method: METHODS.filter((m) => !taken.has(m)),
      url,
      config: { public: true },
      schema: { hide: true },
      handler: async () => {
        const err = new ApiError(405, 'method_not_allowed', url);
        err.headers.allow = [...taken].join(', ');
        throw err;
      },
    });
  }
}
