/** GET /.well-known/oauth-authorization-server (RFC 8414 §3) and /.well-known/openid-configuration. */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { buildMetadata } from './metadata.ts';

export default async function discoveryRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // Built once: the issuer never changes while the process runs (RFC 9700 §4.4: one stable issuer).
  const body = JSON.stringify(buildMetadata(deps.config.issuer, { dynamicRegistration: deps.config.dynamicRegistration, requirePar: deps.config.requirePar }));
  for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(url, async (_request, reply) => {
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('access-control-allow-origin', '*')
        .send(body);
    });
    rejectOtherMethods(app, url, ['GET']);
  }
}
