/**
 * The pages people use: sign-in (with its two-step code), account recovery, sign-up, profile, approval, sign-out,
 * home, and the stylesheet. Errors in this
 * area render as pages, not JSON.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { InteractionOptions } from '../services/interactions.ts';
import { registerPageErrors } from './views/error_page.tsx';
import loginRoutes from './login/route.ts';
import recoveryRoutes from './recovery/route.tsx';
import passkeyResetRoutes from './recovery/passkey_route.ts';
import signUpRoutes from './signup/route.tsx';
import passkeySignUpRoutes from './signup/passkey_route.ts';
import profileRoutes from './profile/route.tsx';
import consentRoutes from './consent/route.ts';
import logoutRoutes from './logout/route.tsx';
import homeRoutes from './home/route.tsx';
import orgRoutes from './orgs/route.ts';
import assetRoutes from './assets/route.ts';
import verifyEmailRoutes from './email/verify_route.tsx';
import changeEmailRoutes from './email/change_route.tsx';
import deviceRoutes from './device/route.tsx';
import adminRoutes from './admin/routes.ts';

export default async function interactionRoutes(app: FastifyInstance, options: InteractionOptions): Promise<void> {
  registerPageErrors(app);
  await app.register(loginRoutes, options);
  await app.register(recoveryRoutes, options);
  await app.register(passkeyResetRoutes, options);
  await app.register(signUpRoutes, options);
  await app.register(passkeySignUpRoutes, options);
  await app.register(profileRoutes, options);
  await app.register(consentRoutes, options);
  await app.register(logoutRoutes, options);
  await app.register(homeRoutes, options);
  await app.register(orgRoutes, options);
  await app.register(verifyEmailRoutes, options);
  await app.register(changeEmailRoutes, options);
  // The device flow's confirm page (RFC 8628 §3.3, issue 17).
  await app.register(deviceRoutes, options);
  // The operator console (issue 21), for platform operators only.
  await app.register(adminRoutes, options);
  await app.register(assetRoutes);
}
