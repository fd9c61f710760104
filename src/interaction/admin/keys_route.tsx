/**
 * GET /admin/keys (the signing keys and their states) and its form, POST /admin/keys/rotate:
 * the same call as `tessera keys rotate` (services/signing_keys.ts), with the operator as the
 * actor (`via: 'admin'`), announced on the change feed so every node signs with the new key.
 * The guard (guard.ts) and the form guard ran before any handler here.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { assembleParams } from '../../http/params.ts';
import { ownEntry } from '../../domain/lookup.ts';
import { listSigningKeys, rotateSigningKeys } from '../../services/signing_keys.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { adminToken } from './guard.ts';
import { ADMIN } from './paths.ts';
import { KeysPageView } from './keys_view.tsx';

const NOTICES: Record<string, string> = {
  rotated: 'Rotated. The new current key signs every token from now on; the one before it stays published until the next rotation.',
};

export default async function keyRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.keys, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const { done } = assembleParams(['done'], request.query as RawParams);
    const page = (
      <KeysPageView
        logoutToken={logoutToken(deps, signedIn.session.id)}
        keys={await listSigningKeys(deps)}
        kekConfigured={deps.config.keyEncryptionKey !== undefined}
        token={adminToken(deps, signedIn)}
        notice={ownEntry(NOTICES, done)}
      />
    );
    return sendPage(reply, page);
  });

  app.post(ADMIN.rotateKeys, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const announce = async () => (await deps.feed.publish({ type: 'keys' }), true);
    await rotateSigningKeys({ keys: deps.keys, stores: deps.stores, announce }, { via: 'admin', userId: signedIn.user.id }, deps.clock.now());
    return reply.code(303).header('location', `${ADMIN.keys}?done=rotated`).send();
  });
}
