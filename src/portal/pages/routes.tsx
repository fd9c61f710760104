/**
 * The portal pages under /developers/apps. Every page needs a session (portalPagesArea, a hook);
 * without one the developer is sent to /login, which comes back to the page. Forms carry the
 * portal token, checked by the form guard before any handler. Someone else's app answers 404 like
 * a missing one (SECURITY 51).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { exempt } from '../../http/form_guard.ts';
import { sendPage } from '../../interaction/views/send_page.ts';
import { registerPageErrors, sendMessagePage } from '../../interaction/views/error_page.tsx';
import { checkAppInput, checkKind, kindOf, rawInputOf, type FieldError, type RawInput } from '../../domain/app_input.ts';
import { createApp, createSecret, deleteApp, findManagedApp, listManagedApps, ownedOrgs, revokeSecret, secretsFull, updateApp, type ManagedApp } from '../../services/apps.ts';
import { checkOwner } from '../owner_input.ts';
import { readUsage } from '../usage.ts';
import { portalPagesArea, portalToken, recentSignIn } from '../guard.ts';
import { readInput } from '../read_input.ts';
import { AppFormView, AppListView, AppView, SecretView } from './views.tsx';
import { PORTAL } from './paths.ts';
import { logoutToken } from '../../interaction/logout/route.tsx';
import type { Account } from '../../interaction/views/layout.tsx';

type Params = { id: string; secret?: string };

function notFound(reply: FastifyReply) {
  return sendMessagePage(reply, 404, 'Not found', 'There is no such app among yours.');
}

export default async function portalPages(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { deps } = options;
  registerPageErrors(app);
  // The portal's own sign-in form is gone (issue 13): old links go to Tessera's one sign-in page.
  app.get(PORTAL.oldSignIn, { config: { csrf: exempt('redirect only') } }, async (_request, reply) => reply.code(302).header('location', PORTAL.signIn()).send());
  portalPagesArea(app);
  const recent = recentSignIn(deps);

  /** The account menu every portal page shows its developer: who is signed in, Profile, Sign out. */
  function account(signedIn: SignedIn): Account {
    return { logoutToken: logoutToken(deps, signedIn.session.id), name: signedIn.user.name };
  }

  /** The app if this person manages it (theirs, or an organization's they own); else a 404 is sent. */
  async function ownApp(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, signedIn: SignedIn): Promise<App | undefined> {
    return (await managedApp(request, reply, signedIn))?.app;
  }

  async function managedApp(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, signedIn: SignedIn): Promise<ManagedApp | undefined> {
    const found = await findManagedApp(deps, signedIn.user, request.params.id);
    if (!found) notFound(reply);
    return found;
  }

  /**
   * A form posted about one of the developer's own apps (its token already checked by the form
   * guard): the developer, the app and the form; otherwise the 404 is already sent.
   */
  async function appForm(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
  ): Promise<{ signedIn: SignedIn; found: App; form: RawInput } | undefined> {
    const signedIn = await signedInOf(request);
    const found = await ownApp(request, reply, signedIn);
    if (!found) return undefined;
    return { signedIn, found, form: (request.body ?? {}) as RawInput };
  }

  async function showApp(reply: FastifyReply, signedIn: SignedIn, found: App, notice?: string, status = 200) {
    const [secrets, usage, orgId] = await Promise.all([deps.stores.apps.listSecrets(found.id), readUsage(deps, found.id), deps.stores.appOwners.orgOf(found.id)]);
    const org = orgId === undefined ? undefined : (await ownedOrgs(deps, signedIn.user)).find((o) => o.id === orgId);
    const page = (
      <AppView
        app={found}
        org={org}
        secrets={secrets}
        secretsFull={secretsFull(secrets, deps.clock.now())}
        usage={usage}
        token={portalToken(deps, signedIn, found.id)}
        notice={notice}
        account={account(signedIn)}
        suspension={deps.suspensions.holding(found.id)}
      />
    );
    // Scripts from our origin: the copy button (assets/copy.js).
    return sendPage(reply, page, { status, scripts: true });
  }

  app.get(PORTAL.apps, async (request, reply) => {
    const signedIn = await signedInOf(request);
    return sendPage(reply, <AppListView apps={await listManagedApps(deps, signedIn.user)} account={account(signedIn)} />);
  });

  app.get(PORTAL.newApp, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const raw: RawInput = { kind: 'web', scopes: 'openid profile email' };
    const orgs = await ownedOrgs(deps, signedIn.user);
    return sendPage(reply, <AppFormView title="Register an app" action={PORTAL.apps} token={portalToken(deps, signedIn)} raw={raw} errors={[]} chooseKind owners={orgs} submit="Register" account={account(signedIn)} />);
  });

  app.post(PORTAL.apps, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const input = readInput(request);
    const kind = checkKind(input.raw);
    const checked = checkAppInput(input.raw, kind.ok ? kind.value : 'native', deps.config.outbound);
    const orgs = await ownedOrgs(deps, signedIn.user);
    const owner = checkOwner(input.raw, orgs);
    const errors: FieldError[] = [
      ...(kind.ok ? [] : kind.errors),
      ...(checked.ok ? [] : checked.errors),
      ...(owner.ok ? [] : owner.errors),
      ...(input.logoError ? [input.logoError] : []),
    ];
    if (!kind.ok || !checked.ok || !owner.ok || errors.length > 0) {
      const page = <AppFormView title="Register an app" action={PORTAL.apps} token={portalToken(deps, signedIn)} raw={input.raw} errors={errors} chooseKind owners={orgs} submit="Register" account={account(signedIn)} />;
      return sendPage(reply, page, { status: 400 });
    }
    const created = await createApp(deps, signedIn.user, kind.value, checked.value, input.logo, request.ip, owner.value);
    if (created.secret === undefined) return reply.code(303).header('location', PORTAL.app(created.app.id)).send();
    // The secret exists only in this answer (never cached), so it is shown here instead of after a redirect.
    return sendPage(reply, <SecretView app={created.app} secret={created.secret} created account={account(signedIn)} />, { status: 201, scripts: true });
  });

  app.get<{ Params: Params }>('/developers/apps/:id', async (request, reply) => {
    const signedIn = await signedInOf(request);
    const found = await ownApp(request, reply, signedIn);
    return found ? showApp(reply, signedIn, found) : reply;
  });

  app.get<{ Params: Params }>('/developers/apps/:id/edit', async (request, reply) => {
    const signedIn = await signedInOf(request);
    const found = await ownApp(request, reply, signedIn);
    if (!found) return reply;
    const page = <AppFormView title={`Edit ${found.name}`} action={PORTAL.app(found.id)} token={portalToken(deps, signedIn, found.id)} raw={rawInputOf(found)} errors={[]} chooseKind={false} submit="Save" account={account(signedIn)} />;
    return sendPage(reply, page);
  });

  app.post<{ Params: Params }>('/developers/apps/:id', async (request, reply) => {
    const signedIn = await signedInOf(request);
    const found = await ownApp(request, reply, signedIn);
    if (!found) return reply;
    const input = readInput(request);
    const checked = checkAppInput(input.raw, kindOf(found), deps.config.outbound);
    if (!checked.ok || input.logoError) {
      const errors = [...(checked.ok ? [] : checked.errors), ...(input.logoError ? [input.logoError] : [])];
      const page = <AppFormView title={`Edit ${found.name}`} action={PORTAL.app(found.id)} token={portalToken(deps, signedIn, found.id)} raw={input.raw} errors={errors} chooseKind={false} submit="Save" account={account(signedIn)} />;
      return sendPage(reply, page, { status: 400 });
    }
    await updateApp(deps, signedIn.user, found, checked.value, input.logo, request.ip);
    return reply.code(303).header('location', PORTAL.app(found.id)).send();
  });

  // SECURITY 51: a new secret, or revoking one, needs a recent sign-in (the `recent` guard).
  app.post<{ Params: Params }>('/developers/apps/:id/secrets', { onRequest: recent }, async (request, reply) => {
    const posted = await appForm(request, reply);
    if (!posted) return reply;
    const { signedIn, found, form } = posted;
    const days = typeof form.expires_in_days === 'string' && /^\d{1,4}$/.test(form.expires_in_days) ? Number(form.expires_in_days) : undefined;
    const expiresAt = days && days >= 1 && days <= 3650 ? deps.clock.now() + days * 86400 : null;
    const made = await createSecret(deps, signedIn.user, found, expiresAt, request.ip);
    // At the limit, the page's secrets section says so as an error (SECRETS_FULL), by its disabled button.
    if ('refused' in made) return showApp(reply, signedIn, found, made.refused === 'public' ? 'Public apps have no secret.' : undefined, 409);
    return sendPage(reply, <SecretView app={found} secret={made.secret} secretId={made.id} created={false} account={account(signedIn)} />, { status: 201, scripts: true });
  });

  app.post<{ Params: Params }>('/developers/apps/:id/secrets/:secret/revoke', { onRequest: recent }, async (request, reply) => {
    const posted = await appForm(request, reply);
    if (!posted) return reply;
    const { signedIn, found } = posted;
    await revokeSecret(deps, signedIn.user, found, request.params.secret ?? '', request.ip);
    return reply.code(303).header('location', PORTAL.app(found.id)).send();
  });

  app.post<{ Params: Params }>('/developers/apps/:id/delete', async (request, reply) => {
    const posted = await appForm(request, reply);
    if (!posted) return reply;
    const { signedIn, found } = posted;
    await deleteApp(deps, signedIn.user, found, request.ip);
    return reply.code(303).header('location', PORTAL.apps).send();
  });
}
