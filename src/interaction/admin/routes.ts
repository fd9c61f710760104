/**
 * The operator console (issue 21): pages for platform operators under /admin, behind one guard
 * (guard.ts: a platform operator, signed in within 15 minutes with a second factor or a passkey;
 * anyone else signed in gets the 404 of a path that does not exist): the Overview at /admin
 * itself, Services, People, Organizations, Keys and the Audit log.
 *
 * Unlike the other areas, no 405 answers other methods here: they get the root's 404 like any
 * unknown address, for everyone, so no method probes the console's existence either.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { adminArea } from './guard.ts';
import overviewRoutes from './overview_route.tsx';
import serviceRoutes from './services_route.tsx';
import peopleRoutes from './people_route.tsx';
import orgRoutes from './orgs_route.tsx';
import keyRoutes from './keys_route.tsx';
import auditRoutes from './audit_route.tsx';

export default async function adminRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  adminArea(app, options.deps);
  await app.register(overviewRoutes, options);
  await app.register(serviceRoutes, options);
  await app.register(peopleRoutes, options);
  await app.register(orgRoutes, options);
  await app.register(keyRoutes, options);
  await app.register(auditRoutes, options);
}
