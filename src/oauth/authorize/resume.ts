/**
 * GET /authorize/resume?interaction=ID: where sign-in returns to. The pending request continues
 * only for the session bound to it, or for a sign-in made during it (at or after its start),
 * which also satisfies prompt=login and max_age without asking again.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { isDatabaseUnavailable } from '../../persistence/unavailable.ts';
import { LoginRequired, TemporarilyUnavailable } from '../errors.ts';
import { assembleParams } from '../../http/params.ts';
import { InteractionExpired, loadLiveInteraction } from '../../services/interactions.ts';
import { proceed } from './proceed.ts';
import { errorRedirect, type Outcome } from './respond.ts';

type ResumeDeps = Pick<Deps, 'config' | 'clock' | 'stores' | 'suspensions' | 'formKey'>;

export async function resume(deps: ResumeDeps, httpRequest: FastifyRequest): Promise<Outcome> {
  const { interaction: id } = assembleParams(['interaction'], httpRequest.query as RawParams);
  const live = await loadLiveInteraction(deps, id);
  if (!live) return { type: 'error_page', error: new InteractionExpired('unknown, expired or used interaction') };
  const { interaction, app } = live;
  const { request } = interaction;
  try {
    const signedIn = await httpRequest.signedIn();
    const session = signedIn?.session;
    const continues = session !== undefined && (interaction.sessionId === session.id || session.authTime >= interaction.createdAt);
    if (!signedIn || !continues) {
      if (request.prompt.includes('none')) {
        await deps.stores.interactions.consume(interaction.id, deps.clock.now());
        return errorRedirect(request, deps.config.issuer, new LoginRequired());
      }
      return { type: 'sign_in', app, interaction };
    }
    if (interaction.sessionId !== signedIn.session.id) {
      await deps.stores.interactions.bindSession(interaction.id, signedIn.session.id);
      interaction.sessionId = signedIn.session.id;
    }
    return await proceed(deps, app, interaction, signedIn);
  } catch (err) {
    if (isDatabaseUnavailable(err)) return errorRedirect(request, deps.config.issuer, new TemporarilyUnavailable());
    throw err;
  }
}
