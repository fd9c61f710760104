/** The error page: a status and a fixed sentence; never a redirect (SECURITY 1). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OAuthError } from '../../oauth/errors.ts';
import { Layout } from './layout.tsx';
import { logError, toOAuthError } from '../../http/error_handler.ts';
import { sendPage } from './send_page.ts';

export function MessageView({ title, message }: { title: string; message: string }) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
    </Layout>
  );
}

export function sendMessagePage(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return sendPage(reply, <MessageView title={title} message={message} />, { status });
}

export function sendErrorPage(reply: FastifyReply, err: OAuthError, status = err.statusCode): FastifyReply {
  reply.headers(err.headers);
  const title = status >= 500 ? 'Something went wrong' : 'This request cannot be completed';
  return sendMessagePage(reply, status, title, err.description);
}

/** 403 for a form post that fails its CSRF checks (SECURITY 28): nothing happens. */
export function sendForbidden(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 403, 'Request refused', 'This form could not be accepted. Go back, reload the page and try again.');
}

/**
 * For areas a browser talks to: anything thrown becomes an error page with the error's fixed
 * public text; a 4xx from Fastify (413 body too large, 415) keeps its status; details go only
 * to the log (SECURITY 44).
 */
export function registerPageErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toOAuthError(err);
    logError(request, err, mapped);
    const status = (err as { statusCode?: unknown }).statusCode;
    return sendErrorPage(reply, mapped, typeof status === 'number' && status >= 400 && status < 500 ? status : undefined);
  });
}
