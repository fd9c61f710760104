/**
 * The developer portal (issue 5): pages under /developers/apps, a JSON API under
 * /developers/api/v1, the logos it re-serves, and the developer guide (/developers/guide). Multipart (logo uploads) and the OpenAPI
 * description are registered here only, not for the whole app.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppOptions } from '../deps.ts';
import { MAX_LOGO_BYTES } from '../domain/app_logo.ts';
import portalPages from './pages/routes.tsx';
import portalApi from './api/routes.ts';
import logoRoutes from './logo_route.ts';
import guideRoute from './guide/route.tsx';

export default async function portalRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  await app.register(multipart, {
    // One file of at most 256 KB and a few small fields; more is refused, never buffered.
    // A too-large logo is answered as invalid metadata next to its field, not as a 413.
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_LOGO_BYTES, files: 1, fields: 40, fieldSize: 4000, parts: 60, headerPairs: 100 },
  });
  await app.register(portalPages, options);
  await app.register(portalApi, options);
  await app.register(logoRoutes, options);
  await app.register(guideRoute);
}
