/**
 * The profile's address forms (issue 15): "Send the link again" for an address not yet confirmed,
 * and "Change email address", which needs a recent sign-in and the current password and mails a
 * link to the new address (the address changes when it is opened: ../email/change_route.tsx).
 * Both are profile forms (the profile token, bound to the session) behind the profile's sign-in
 * guard; the change also runs `requireRecentSignIn` first (SECURITY 51).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, signedInOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { TOO_MANY } from '../login/view.tsx';
import { backToProfile, sendProfile } from './shared.tsx';
import { PROFILE_REAUTH, recentProfileSignIn } from './recent.ts';
import { CHANGE_EMAIL_PATH, RESEND_PATH, WORK_ACCOUNT_ADDRESS } from './email_view.tsx';

function wait(seconds: number): string {
  return seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

export default async function profileEmailRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.post(RESEND_PATH, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const outcome = await deps.accounts.resendVerification(signedIn.user);
    switch (outcome.kind) {
      case 'sent':
        deps.mail.wake();
        return backToProfile(reply, 'verification_sent');
      case 'already':
        return backToProfile(reply, 'verified');
      case 'work_account':
        return sendProfile(deps, reply, signedIn, { problem: WORK_ACCOUNT_ADDRESS, status: 400 });
      case 'throttled':
        reply.header('retry-after', String(outcome.retryAfter));
        return sendProfile(deps, reply, signedIn, { problem: `We sent a link a short while ago. Wait ${wait(outcome.retryAfter)} before asking for another one.`, status: 429 });
    }
  });

  app.post(CHANGE_EMAIL_PATH, { onRequest: recentProfileSignIn(deps) }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['email', 'password'], asRawParams(request.body));
    const outcome = await deps.accounts.requestEmailChange(signedIn, form.email, form.password, callerOf(deps.config, request));
    const problem = (text: string, status = 400) => sendProfile(deps, reply, signedIn, { problem: text, status });
    switch (outcome.kind) {
      case 'sent':
        deps.mail.wake();
        // The same words whether or not the address has an account (SECURITY 33).
        return sendProfile(deps, reply, signedIn, { notice: `We sent a link to ${outcome.to}. Your address changes when you open it.` });
      case 'stale_sign_in':
        return reply.code(303).header('location', PROFILE_REAUTH).send();
      case 'work_account':
        return problem(WORK_ACCOUNT_ADDRESS);
      case 'invalid':
        return problem('Enter a valid email address.');
      case 'same':
        return problem('That is already your address.');
      case 'wrong':
        return problem('Your current password is incorrect.');
      case 'throttled':
        reply.header('retry-after', String(outcome.retryAfter));
        return problem(outcome.retryAfter > 300 ? `Too many changes of address asked for today. Wait ${wait(outcome.retryAfter)} and try again.` : TOO_MANY, 429);
    }
  });

  rejectOtherMethods(app, RESEND_PATH, ['POST']);
  rejectOtherMethods(app, CHANGE_EMAIL_PATH, ['POST']);
}
