/**
 * What the authorization endpoint needs from the pages people see, and nothing more: the
 * protocol does not import the pages (issue 13). The interaction area implements this
 * (src/interaction/authorization_pages.ts) and app.ts, the composition root, hands it over.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../domain/apps.ts';
import type { Grant } from '../../domain/grants.ts';
import type { Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import type { OAuthError } from '../errors.ts';

export interface AuthorizationPages {
  /** Anything thrown on a browser-facing route is shown as a page, not JSON. */
  registerErrors(app: FastifyInstance): void;
  /**
   * The request cannot be answered at any redirect URI (RFC 6749 §4.1.2.1). `app`: the registered
   * client it came from, when that much is known, so the page can name it and send the person back.
   */
  error(reply: FastifyReply, error: OAuthError, app?: App): FastifyReply;
  /** Nobody (or someone else) is signed in: the sign-in page, continuing `interaction`. */
  signIn(reply: FastifyReply, page: { app: App; interaction: Interaction }): FastifyReply;
  /** The approval page; `grant` is what the person already allowed this app. */
  approval(reply: FastifyReply, page: { app: App; interaction: Interaction; signedIn: SignedIn; grant: Grant | undefined }): Promise<FastifyReply>;
}
