/**
 * Two-step verification on the profile (RFC 6238): start (a new secret, not yet on), the setup
 * page (QR code + key + otpauth URI), confirm with a first code (then ten recovery codes, shown
 * once — the one POST answered with a page rather than a 303, since the codes are kept only as
 * digests and cannot be shown again), and turn off (password required, throttled like sign-in).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { AppOptions } from '../../app.ts';
import { readSession } from '../../core/sessions.ts';
import { verifyPassword } from '../../crypto/passwords.ts';
import { matchTotp, newTotpSecret, otpauthUri } from '../../crypto/totp.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { throttledSignIn } from '../login/throttle.ts';
import { TOO_MANY } from '../login/view.tsx';
import { newRecoveryCodes, sealSecret, unsealSecret } from '../account/second_factor.ts';
import { backToProfile, formSession, profileToken, sendProfile } from './shared.tsx';
import { RecoveryCodesView, TotpSetupView } from './totp_view.tsx';

const TOTP_PATH = '/profile/totp';
const ISSUER_NAME = 'Tessera';

export default async function totpRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  async function sendSetup(reply: Parameters<typeof sendPage>[0], userId: string, email: string, sessionId: string, sealed: string, wrong = false) {
    const secret = unsealSecret(deps, userId, sealed);
    const uri = otpauthUri(secret, ISSUER_NAME, email);
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
    const qrDataUri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    return sendPage(reply, <TotpSetupView token={profileToken(deps, sessionId)} logoutToken={logoutToken(deps, sessionId)} secret={secret} uri={uri} qrDataUri={qrDataUri} wrong={wrong} />, {
      status: wrong ? 400 : 200,
      dataImages: true,
    });
  }

  app.post(`${TOTP_PATH}/start`, async (request, reply) => {
    const { sent, signedIn } = await formSession(deps, request, reply, []);
    if (sent) return sent;
    await deps.stores.users.startTotp(signedIn.user.id, sealSecret(deps, signedIn.user.id, newTotpSecret()), deps.clock.now());
    return reply.code(303).header('location', TOTP_PATH).send();
  });

  app.get(TOTP_PATH, async (request, reply) => {
    const signedIn = await readSession(deps, request);
    if (!signedIn) return reply.code(302).header('location', '/login').send();
    const totp = await deps.stores.users.findTotp(signedIn.user.id);
    if (!totp || totp.enabledAt !== null) return reply.code(302).header('location', '/profile').send();
    return sendSetup(reply, signedIn.user.id, signedIn.user.email, signedIn.session.id, totp.secretSealed);
  });

  app.post(`${TOTP_PATH}/confirm`, async (request, reply) => {
    const { sent, form, signedIn } = await formSession(deps, request, reply, ['code']);
    if (sent) return sent;
    const { user, session } = signedIn;
    const totp = await deps.stores.users.findTotp(user.id);
    if (!totp || totp.enabledAt !== null) return backToProfile(reply, 'totp');
    const now = deps.clock.now();
    const step = matchTotp(unsealSecret(deps, user.id, totp.secretSealed), (form.code ?? '').replace(/\s/g, ''), now, null);
    if (step === undefined) return sendSetup(reply, user.id, user.email, session.id, totp.secretSealed, true);
    const { codes, digests } = newRecoveryCodes();
    if (!(await deps.stores.users.enableTotp(user.id, step, digests, now))) return backToProfile(reply, 'totp');
    await deps.stores.audit.record({ type: 'user.totp_enabled', userId: user.id, ip: request.ip }, now);
    return sendPage(reply, <RecoveryCodesView codes={codes} logoutToken={logoutToken(deps, session.id)} />);
  });

  app.post(`${TOTP_PATH}/disable`, async (request, reply) => {
    const { sent, form, signedIn } = await formSession(deps, request, reply, ['password']);
    if (sent) return sent;
    const { user } = signedIn;
    const checked = await throttledSignIn(deps.throttles, user.email, request.ip, async () =>
      (await verifyPassword(user.passwordHash, form.password ?? '')) ? user : undefined,
    );
    if (checked.retryAfter !== undefined) {
      reply.header('retry-after', String(checked.retryAfter));
      return sendProfile(deps, reply, signedIn, { problem: TOO_MANY, status: 429 });
    }
    if (!checked.user) return sendProfile(deps, reply, signedIn, { problem: 'Your password is incorrect.', status: 400 });
    await deps.stores.users.disableTotp(user.id);
    await deps.stores.audit.record({ type: 'user.totp_disabled', userId: user.id, ip: request.ip }, deps.clock.now());
    return backToProfile(reply, 'totp_off');
  });

  rejectOtherMethods(app, TOTP_PATH, ['GET']);
  for (const path of ['start', 'confirm', 'disable']) rejectOtherMethods(app, `${TOTP_PATH}/${path}`, ['POST']);
}
