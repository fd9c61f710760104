/**
 * The console's two refusals to an operator (guard.ts): "Confirm it is you" (the sign-in is older
 * than 15 minutes or used no second factor or passkey), and "Add a second factor first" (the
 * account has none, so no sign-in could qualify).
 */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { OPERATOR_SIGN_IN_MAX_AGE } from '../../services/operator_access.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { AdminLayout } from './layout.tsx';

const MINUTES = OPERATOR_SIGN_IN_MAX_AGE / 60;

export function sendConfirmPage(deps: Pick<Deps, 'formKey'>, reply: FastifyReply, signedIn: SignedIn, confirmUrl: string): FastifyReply {
  return sendPage(
    reply,
    <AdminLayout title="Confirm it is you" logoutToken={logoutToken(deps, signedIn.session.id)}>
      <h1>Confirm it is you</h1>
      <p>
        The operator console needs a sign-in from the last {MINUTES} minutes that used your second factor or a passkey. Sign in again, with
        your second factor; then you come back to this page.
      </p>
      <p class="actions">
        <a class="button" href={confirmUrl}>
          Confirm it is you
        </a>
      </p>
    </AdminLayout>,
    { status: 403 },
  );
}

export function sendAddFactorPage(deps: Pick<Deps, 'formKey'>, reply: FastifyReply, signedIn: SignedIn): FastifyReply {
  return sendPage(
    reply,
    <AdminLayout title="Add a second factor first" logoutToken={logoutToken(deps, signedIn.session.id)}>
      <h1>Add a second factor first</h1>
      <p>
        The operator console needs a sign-in that used a second factor or a passkey, and your account has neither. Turn on two-step
        verification or add a passkey on your profile, then come back.
      </p>
      <p class="actions">
        <a class="button" href="/profile">
          Go to your profile
        </a>
      </p>
    </AdminLayout>,
    { status: 403 },
  );
}
