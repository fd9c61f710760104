/**
 * GET /admin/people (search by email or name), GET /admin/people/{id} (one person: sessions,
 * grants, factors, recent security events), and its forms: Disable / Enable the account, Reset
 * second factor (with its notice), End all sessions. Each goes through the accounts service
 * (issue 13: the one authority over accounts and sessions), with the operator as the actor
 * (`via: 'admin'`). The guard (guard.ts) and the form guard ran before any handler here.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { Actor } from '../../domain/audit.ts';
import type { User } from '../../domain/users.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { assembleParams } from '../../http/params.ts';
import { ownEntry } from '../../domain/lookup.ts';
import { BadCursor, personOverview, searchPeople } from '../../services/operator_reads.ts';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { logoutToken } from '../logout/route.tsx';
import { adminToken } from './guard.ts';
import { ADMIN, type PersonAction } from './paths.ts';
import { PeopleSearchView, PersonPageView } from './people_view.tsx';
import { PAGE_SIZE } from './services_route.tsx';
import { asFilter, sendBadCursorPage, yesNo } from './layout.tsx';

const NOTICES: Record<string, string> = {
  disabled: 'Disabled. Every session ended and every service it authorized lost its tokens.',
  enabled: 'Enabled. The person can sign in again; revoked authorizations stay revoked.',
  not_disabled: 'The account was not disabled: nothing changed.',
  factor_reset: 'Second factors removed. The person was mailed a notice.',
  no_factor: 'The account has no second factor: nothing to reset.',
  sessions_ended: 'Every session of the person ended.',
};

type PersonRequest = FastifyRequest<{ Params: { id: string } }>;

function notFound(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 404, 'No such person', 'There is no account with this id.');
}

/** Each form: the accounts service's call, and the notice it ends with. */
const ACTIONS: Record<PersonAction, (deps: Deps, user: User, actor: Actor) => Promise<string>> = {
  disable: async (deps, user, actor) => (await deps.accounts.disableAccount(user, actor, deps.config.ttl.accessToken), 'disabled'),
  enable: async (deps, user, actor) => ((await deps.accounts.enableAccount(user, actor)) ? 'enabled' : 'not_disabled'),
  'reset-second-factor': async (deps, user, actor) => ((await deps.accounts.resetSecondFactor(user, actor)) ? 'factor_reset' : 'no_factor'),
  'end-sessions': async (deps, user, actor) => (await deps.accounts.endSessionsOf(user, actor), 'sessions_ended'),
};

export default async function peopleRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.people, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const q = assembleParams(['q', 'disabled', 'operators', 'after'], request.query as RawParams);
    const [disabled, operators] = [yesNo(q.disabled), yesNo(q.operators)];
    let found;
    try {
      found = await searchPeople(deps, { query: q.q, disabled: asFilter(disabled), operators: asFilter(operators), limit: PAGE_SIZE, ...(q.after === undefined ? {} : { after: q.after }) });
    } catch (err) {
      if (err instanceof BadCursor) return sendBadCursorPage(reply);
      throw err;
    }
    const next = found.next === undefined ? undefined : `${ADMIN.people}?${new URLSearchParams({ q: q.q ?? '', disabled: disabled ?? '', operators: operators ?? '', after: found.next })}`;
    return sendPage(reply, <PeopleSearchView logoutToken={logoutToken(deps, signedIn.session.id)} query={q.q} disabled={disabled} operators={operators} people={found.people} nextUrl={next} />);
  });

  app.get('/admin/people/:id', async (request: PersonRequest, reply) => {
    const signedIn = await signedInOf(request);
    const details = await personOverview(deps, request.params.id);
    if (!details) return notFound(reply);
    const { done } = assembleParams(['done'], request.query as RawParams);
    const page = (
      <PersonPageView logoutToken={logoutToken(deps, signedIn.session.id)} details={details} token={adminToken(deps, signedIn, details.person.id)} notice={ownEntry(NOTICES, done)} />
    );
    return sendPage(reply, page);
  });

  for (const action of Object.keys(ACTIONS) as PersonAction[]) {
    app.post(`/admin/people/:id/${action}`, async (request: PersonRequest, reply) => {
      const signedIn = await signedInOf(request);
      const user = await deps.stores.users.findById(request.params.id);
      if (!user) return notFound(reply);
      const done = await ACTIONS[action](deps, user, { via: 'admin', userId: signedIn.user.id });
      return reply.code(303).header('location', `${ADMIN.person(user.id)}?done=${done}`).send();
    });
  }
}
