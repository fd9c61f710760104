/**
 * /device (RFC 8628 §3.3, issue 17): a signed-in person with a recent sign-in (issue 16's window,
 * `requireRecentSignIn`) types the code, or compares the one filled in from
 * verification_uri_complete, and posts it (a GET never looks a code up, so guessing takes forms
 * with the person's token, throttled per person and address: services/device_flow.ts). The
 * confirm page posts the decision to /device/decision with a token bound to the session and the
 * code; the grant is written by the approval page's rules (`decideDevice`).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { DeviceAuthorization } from '../../domain/device_authorizations.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { defaultCsrfRule, formRule, formToken } from '../../http/form_guard.ts';
import { guardRoutes, requireRecentSignIn, signedInOf } from '../../http/signed_in.ts';
import { formatUserCode, normalizeUserCode } from '../../crypto/user_codes.ts';
import { formatDate } from '../../domain/dates.ts';
import { approvalStepUp } from '../../services/interactions.ts';
import { decideDevice, findOpen, findTypedCode } from '../../services/device_flow.ts';
import { appIdentity } from '../views/app_identity.tsx';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { approvalContent, asksForMore, scopeLines } from '../consent/page.tsx';
import { choiceFields, readChoice } from '../consent/choices.ts';
import { AppSuspended } from '../../oauth/errors.ts';
import { DeviceConfirmView, DeviceDoneView, DeviceEntryView } from './view.tsx';
import { DEVICE_DECISION_PATH, DEVICE_PATH, deviceReauth, deviceSignIn } from './paths.ts';

type PageDeps = Pick<Deps, 'formKey' | 'access' | 'config' | 'clock' | 'accounts' | 'stores'>;

const WRONG_CODE = 'That code is not valid, or it expired. Check the code on your device and type it again.';
const TOO_MANY = 'Too many wrong codes. Wait a few minutes and try again.';
/** Issue 21: the plain words a person sees for a suspended service, the same as at /authorize. */
const SUSPENDED = new AppSuspended().description;
const CLOSED = 'This request is no longer open: it was answered already, or it expired. Start again on your device.';

const entryToken = (deps: Pick<Deps, 'formKey'>, sessionId: string) => formToken(deps.formKey, sessionId, 'device');
const decisionToken = (deps: Pick<Deps, 'formKey'>, sessionId: string, code: string) => formToken(deps.formKey, sessionId, 'device_decision', code);

/**
 * The code a GET carries, normalized: `?user_code=` (verification_uri_complete) or the path's
 * `/device/{code}` (back from the sign-in). Only to fill the field in: nothing is looked up.
 */
function codeIn(request: FastifyRequest): string | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const fromPath = (request.params as { code?: unknown } | undefined)?.code;
  const raw = typeof fromPath === 'string' ? fromPath : assembleParams(['user_code'], request.query as RawParams).user_code;
  return raw === undefined ? undefined : normalizeUserCode(raw);
}

/** "42 seconds ago", "3 minutes ago": how long ago the device asked. */
export function ago(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${s} second${s === 1 ? '' : 's'} ago`;
  const m = Math.floor(s / 60);
  return `${m} minute${m === 1 ? '' : 's'} ago`;
}

export default async function deviceRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  const redirect = (to: (code?: string) => string) => async (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(request.method === 'GET' || request.method === 'HEAD' ? 302 : 303).header('location', to(codeIn(request))).send();
  // Issue 17: "the page asks for a recent sign-in, as step-up does": the one recent-sign-in guard.
  guardRoutes(app, requireRecentSignIn(deps, redirect(deviceSignIn), redirect(deviceReauth)));
  defaultCsrfRule(app, formRule('device'));

  const entryPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await signedInOf(request);
    const code = codeIn(request);
    return sendPage(reply, <DeviceEntryView csrf={entryToken(deps, signedIn.session.id)} prefilled={code && formatUserCode(code)} />);
  };
  app.get(DEVICE_PATH, entryPage);
  app.get(`${DEVICE_PATH}/:code`, entryPage);

  app.post(DEVICE_PATH, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['user_code'], asRawParams(request.body));
    const found = await findTypedCode(deps, form.user_code, signedIn.user.id, request.ip);
    const csrf = entryToken(deps, signedIn.session.id);
    switch (found.kind) {
      case 'throttled':
        reply.header('retry-after', String(found.retryAfter));
        return sendPage(reply, <DeviceEntryView csrf={csrf} problem={TOO_MANY} />, { status: 429 });
      case 'unknown':
        return sendPage(reply, <DeviceEntryView csrf={csrf} problem={WRONG_CODE} />, { status: 400 });
      case 'found':
        if (deps.suspensions.isSuspended(found.app.id)) return sendMessagePage(reply, 403, 'Service suspended', SUSPENDED);
        return sendConfirmPage(deps, reply, signedIn, found.device, found.app, normalizeUserCode(form.user_code!)!);
    }
  });

  const decisionCsrf = formRule('device_decision', (request) => {
    const code = assembleParams(['user_code'], asRawParams(request.body)).user_code;
    return [code === undefined ? undefined : normalizeUserCode(code)];
  });
  app.post(DEVICE_DECISION_PATH, { config: { csrf: decisionCsrf } }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const body = asRawParams(request.body);
    const typed = assembleParams(['user_code'], body).user_code;
    const found = await findOpen(deps, typed);
    if (!found) return sendMessagePage(reply, 410, 'Request closed', CLOSED);
    const { device, app: client } = found;
    const now = deps.clock.now();
    const grant = await deps.stores.grants.findLive(signedIn.user.id, client.id, now);
    const { shown } = await approvalContent(deps, signedIn.user.id, client.id, device.scopes, grant, { deviceFlow: true });
    const form = assembleParams(['decision', ...choiceFields(shown)], body);
    if (form.decision !== 'approve' && form.decision !== 'deny') return sendMessagePage(reply, 400, 'Choose Approve or Deny', 'Go back and choose Approve or Deny.');
    const choice = form.decision === 'approve' ? readChoice(form, { requested: device.scopes, shown, now }) : undefined;
    // Recorded with the grant, in its transaction (as the approval page does), naming the device.
    const event = {
      type: 'grant.approved',
      userId: signedIn.user.id,
      appId: client.id,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      detail: { app: client.name, device: { ip: device.requesterIp, userAgent: device.requesterUserAgent } },
    };
    const decided = await decideDevice(deps, { device, signedIn, shownScopes: shown.scopes, choice, event });
    switch (decided.kind) {
      case 'step_up':
        // Back to the same code after confirming, as the approval page resumes its interaction.
        return reply.code(303).header('location', deviceReauth(normalizeUserCode(typed!))).send();
      case 'gone':
        return sendMessagePage(reply, 410, 'Request closed', CLOSED);
      case 'suspended':
        return sendMessagePage(reply, 403, 'Service suspended', SUSPENDED);
      case 'approved':
      case 'denied':
        return sendPage(reply, <DeviceDoneView approved={decided.kind === 'approved'} appName={client.name} />);
    }
  });

  rejectOtherMethods(app, DEVICE_PATH, ['GET', 'POST']);
  rejectOtherMethods(app, `${DEVICE_PATH}/:code`, ['GET']);
  rejectOtherMethods(app, DEVICE_DECISION_PATH, ['POST']);
}

/** `code`: the normalized user code the person typed (only its digest is stored). */
async function sendConfirmPage(deps: PageDeps, reply: FastifyReply, signedIn: SignedIn, device: DeviceAuthorization, client: App, code: string): Promise<FastifyReply> {
  const now = deps.clock.now();
  const grant = await deps.stores.grants.findLive(signedIn.user.id, client.id, now);
  const { shown, orgs } = await approvalContent(deps, signedIn.user.id, client.id, device.scopes, grant, { deviceFlow: true });
  const stepUp = await approvalStepUp(deps, signedIn, shown.scopes);
  return sendPage(
    reply,
    <DeviceConfirmView
      app={appIdentity(deps.config.issuer, client)}
      userCode={formatUserCode(code)}
      scopes={scopeLines(shown.scopes, 'chosen')}
      incremental={asksForMore(grant, device.scopes)}
      orgs={orgs}
      allOrgs={grant?.orgIds == null}
      currentEnd={grant?.expiresAt != null ? formatDate(grant.expiresAt) : undefined}
      requester={{ ip: device.requesterIp, userAgent: device.requesterUserAgent, ago: ago(now - device.createdAt) }}
      user={{ name: signedIn.user.name, email: signedIn.user.email }}
      csrf={decisionToken(deps, signedIn.session.id, code)}
      stepUp={stepUp === undefined ? undefined : { reason: stepUp, url: deviceReauth(code) }}
    />,
  );
}
