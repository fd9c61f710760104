/**
 * Two-step verification on the profile (RFC 6238): start (a new secret, not yet on), the setup
 * page (QR code + key + otpauth URI), confirm with a first code (then ten recovery codes, shown
 * once — the one POST answered with a page rather than a 303, since the codes are kept only as
 * digests and cannot be shown again), and turn off, which takes both factors: the password and a
 * current code (issue 13: a stolen password alone never removes the second factor). Every change
 * goes through the accounts service.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { otpauthUri } from '../../crypto/totp.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, signedInOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { TOO_MANY } from '../login/view.tsx';
import { WRONG_CODE } from '../login/code_view.tsx';
import { backToProfile, profileToken, sendProfile } from './shared.tsx';
import { recentProfileSignIn } from './recent.ts';
import { RecoveryCodesView, TotpSetupView } from './totp_view.tsx';

const TOTP_PATH = '/profile/totp';

export default async function totpRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  async function sendSetup(reply: Parameters<typeof sendPage>[0], email: string, sessionId: string, secret: string, wrong = false) {
    // The name the authenticator app lists the account under: the platform's, as people know it (PRODUCT_NAME).
    const uri = otpauthUri(secret, deps.config.brand.productName, email);
    // Loaded on the first setup page, not at start (issue 14).
    const { default: QRCode } = await import('qrcode');
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
    const qrDataUri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    return sendPage(reply, <TotpSetupView token={profileToken(deps, sessionId)} logoutToken={logoutToken(deps, sessionId)} secret={secret} uri={uri} qrDataUri={qrDataUri} wrong={wrong} />, {
      status: wrong ? 400 : 200,
      dataImages: true,
    });
  }

  app.post(`${TOTP_PATH}/start`, async (request, reply) => {
    await deps.accounts.startTotp((await signedInOf(request)).user);
    return reply.code(303).header('location', TOTP_PATH).send();
  });

  app.get(TOTP_PATH, async (request, reply) => {
    const { user, session } = await signedInOf(request);
    const secret = await deps.accounts.totpSetupSecret(user);
    if (secret === undefined) return reply.code(302).header('location', '/profile').send();
    return sendSetup(reply, user.email, session.id, secret);
  });

  app.post(`${TOTP_PATH}/confirm`, async (request, reply) => {
    const { user, session } = await signedInOf(request);
    const form = assembleParams(['code'], asRawParams(request.body));
    const confirmed = await deps.accounts.confirmTotp(user, form.code, callerOf(deps.config, request));
    if (confirmed === 'none') return backToProfile(reply, 'totp');
    if (confirmed === 'wrong') return sendSetup(reply, user.email, session.id, (await deps.accounts.totpSetupSecret(user)) ?? '', true);
    return sendPage(reply, <RecoveryCodesView codes={confirmed.codes} logoutToken={logoutToken(deps, session.id)} />);
  });

  // Turning the factor off needs a recent sign-in, besides the password and a code (SECURITY 51, issue 16).
  app.post(`${TOTP_PATH}/disable`, { onRequest: recentProfileSignIn(deps) }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['password', 'code'], asRawParams(request.body));
    const done = await deps.accounts.disableTotp(signedIn.user, form.password, form.code, callerOf(deps.config, request));
    switch (done.kind) {
      case 'throttled':
        reply.header('retry-after', String(done.retryAfter));
        return sendProfile(deps, reply, signedIn, { problem: TOO_MANY, status: 429 });
      case 'wrong':
        return sendProfile(deps, reply, signedIn, { problem: 'Your password is incorrect.', status: 400 });
      case 'wrong_code':
        return sendProfile(deps, reply, signedIn, { problem: WRONG_CODE, status: 400 });
      case 'ok':
        return backToProfile(reply, 'totp_off');
    }
  });

  rejectOtherMethods(app, TOTP_PATH, ['GET']);
  for (const path of ['start', 'confirm', 'disable']) rejectOtherMethods(app, `${TOTP_PATH}/${path}`, ['POST']);
}
