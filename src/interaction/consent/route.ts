/**
 * POST /interaction/:id/decision — the approval form (SECURITY 28). It acts only when every
 * check passes: not cross-site, the session the request is bound to, the token bound to that
 * session and this request, and the request not used before (consumed here, once). Any failure
 * is a 403 and issues nothing. GET does nothing (405). What the person chose (scopes,
 * organizations, lifetime) is read against what the page offered (choices.ts). An approval of a
 * high-privilege scope with a sign-in that is not recent or strong enough grants nothing and goes
 * back to the approval, which asks the person to confirm who they are (issue 16,
 * services/interactions.ts `decideApproval`). So does an approval of an unverified service's
 * high-privilege scope before the person passed its warning (issue 20): back to the same
 * authorization, which shows the warning again.
 *
 * POST /interaction/:id/warning — "Continue to <service>" on that warning, with its own token
 * bound to the session and this request: records that the person passed it, then the approval.
 * "Back to safety" is the approval form's Deny, posted from the warning page.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { InteractionOptions } from '../../services/interactions.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { InvalidRequest } from '../../oauth/errors.ts';
import { decideApproval, loadLiveInteraction, resumeUrl } from '../../services/interactions.ts';
import { formRule } from '../../http/form_guard.ts';
import { requireSignIn, signedInOf } from '../../http/signed_in.ts';
import { sendErrorPage, sendForbidden } from '../views/error_page.tsx';
import { choiceFields, readChoice } from './choices.ts';
import { approvalContent } from './page.tsx';

const DECISION_PATH = '/interaction/:id/decision';
const WARNING_PATH = '/interaction/:id/warning';

/** The pending authorization of this path, when it is live, bound to the signed-in session and not refused. */
async function ownInteraction(deps: Pick<Deps, 'clock' | 'stores'>, request: FastifyRequest<{ Params: { id: string } }>) {
  const signedIn = await signedInOf(request);
  const live = await loadLiveInteraction(deps, request.params.id);
  if (!live || live.interaction.sessionId !== signedIn.session.id || live.interaction.request.refused) return undefined;
  return { ...live, signedIn };
}

export default async function consentRoutes(app: FastifyInstance, { deps, decide }: InteractionOptions): Promise<void> {
  // The token is bound to the session and to this transaction (SECURITY 28): the form guard checks it.
  const bindId = (request: FastifyRequest) => [(request.params as { id?: string }).id];
  const csrf = formRule('decision', bindId);
  // Without the session the transaction is bound to, nothing happens: 403, never a sign-in detour.
  const onRequest = requireSignIn((_request, reply) => sendForbidden(reply));
  app.post<{ Params: { id: string } }>(DECISION_PATH, { onRequest, config: { csrf } }, async (request, reply) => {
    const { id } = request.params;
    const body = asRawParams(request.body);
    const live = await ownInteraction(deps, request);
    if (!live) return sendForbidden(reply);
    const { interaction, signedIn } = live;
    const now = deps.clock.now();
    const grant = await deps.stores.grants.findLive(signedIn.user.id, interaction.appId, now);
    // What the page showed: only that can change (a dimension it did not show is kept).
    const { shown } = await approvalContent(deps, signedIn.user.id, interaction.appId, interaction.request.scopes, grant);
    const form = assembleParams(['decision', ...choiceFields(shown)], body);
    if (form.decision !== 'approve' && form.decision !== 'deny') return sendErrorPage(reply, new InvalidRequest('decision missing'));

    const choice = form.decision === 'approve' ? readChoice(form, { requested: interaction.request.scopes, shown, now }) : undefined;
    // The approval's audit event is written with the grant, in its transaction (found by test/reliability/sign_in_crash.test.ts);
    // the store adds what the grant allows and whether it is new or wider, which mails a notice (issue 15).
    const event = { type: 'grant.approved', userId: signedIn.user.id, appId: live.app.id, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, detail: { app: live.app.name } };
    const decided = await decideApproval(deps, decide, { app: live.app, interaction, signedIn, shownScopes: shown.scopes, choice, event });
    switch (decided.kind) {
      case 'warning':
      case 'step_up':
        // Back to the same authorization, which shows the unverified-service warning again (issue 20)
        // or asks the person to confirm who they are (issue 16).
        return reply.code(303).header('location', resumeUrl(id)).send();
      case 'used':
        return sendForbidden(reply);
      case 'answered':
        return reply.code(303).header('location', decided.location).send();
    }
  });
  rejectOtherMethods(app, DECISION_PATH, ['POST']);

  app.post<{ Params: { id: string } }>(WARNING_PATH, { onRequest, config: { csrf: formRule('warning', bindId) } }, async (request, reply) => {
    const live = await ownInteraction(deps, request);
    if (!live) return sendForbidden(reply);
    await deps.stores.interactions.passWarning(live.interaction.id, deps.clock.now());
    return reply.code(303).header('location', resumeUrl(live.interaction.id)).send();
  });
  rejectOtherMethods(app, WARNING_PATH, ['POST']);
}
