/** GET /assets/tessera.css — the one stylesheet, read once at start, served from our origin. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { STYLESHEET } from '../views/layout.tsx';

const css = readFileSync(new URL('./tessera.css', import.meta.url), 'utf8');

export default async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get(STYLESHEET, async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css);
  });
}
