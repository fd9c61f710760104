/**
 * GET /developers/logos/:id — an app's uploaded logo, from our origin, with the type found by
 * its magic bytes, `nosniff`, and a CSP that forbids everything, so an image can never run as a
 * page (SECURITY 39). Public: the approval page shows it to people who are not developers.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../deps.ts';

export default async function logoRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get<{ Params: { id: string } }>('/developers/logos/:id', async (request, reply) => {
    const logo = request.params.id.length <= 100 ? await deps.stores.apps.findLogo(request.params.id) : undefined;
    if (!logo) return reply.code(404).send({ error: 'not_found', error_description: 'There is nothing at this address.' });
    return reply
      .header('content-type', logo.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; sandbox")
      .header('content-disposition', 'inline')
      .header('cache-control', 'public, max-age=300')
      .send(logo.bytes);
  });
}
