/**
 * The error page: never a redirect (SECURITY 1). In plain words first, what happened and what to
 * do next, naming the service when it is known (issue 20, error_words.ts); then, folded, the
 * protocol's fixed code and description for the service's developer. The detail behind it goes
 * only to the log (SECURITY 44).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OAuthError } from '../../oauth/errors.ts';
import type { App } from '../../domain/apps.ts';
import { Layout } from './layout.tsx';
import { logError, toOAuthError } from '../../http/error_handler.ts';
import { sendPage } from './send_page.ts';
import { errorWords } from './error_words.ts';
import { safeHref } from './app_identity.tsx';

/** The service a refused request came from, when it is known (registered, so its name is its own). */
export type ErrorService = Pick<App, 'name' | 'websiteUrl'>;

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

export function ErrorView({ err, status, service }: { err: OAuthError; status: number; service?: ErrorService | undefined }) {
  const words = errorWords(err, status);
  return (
    <Layout title={words.headline}>
      <h1>{words.headline}</h1>
      <p>{words.what}</p>
      <p id="next-step">
        <NextStep service={service} retry={words.retry} />
      </p>
      <details class="developer-detail">
        <summary>For the service’s developer</summary>
        <dl class="facts">
          <dt>error</dt>
          <dd>
            <code>{err.error}</code>
          </dd>
          <dt>error_description</dt>
          <dd>{err.description}</dd>
          <dt>HTTP status</dt>
          <dd>{status}</dd>
        </dl>
      </details>
    </Layout>
  );
}

/** "Go back to Sprint Planner and try again", its website linked when it registered one; else the page they came from. */
function NextStep({ service, retry }: { service: ErrorService | undefined; retry: boolean }) {
  const then = retry ? ' and try again.' : '.';
  if (service === undefined) return <>{`Go back to the page you came from${then}`}</>;
  const website = safeHref(service.websiteUrl);
  return (
    <>
      Go back to {website === undefined ? <strong>{service.name}</strong> : <a href={website}>{service.name}</a>}
      {then}
    </>
  );
}

export function sendErrorPage(reply: FastifyReply, err: OAuthError, options: { status?: number | undefined; service?: ErrorService | undefined } = {}): FastifyReply {
  const status = options.status ?? err.statusCode;
  reply.headers(err.headers);
  return sendPage(reply, <ErrorView err={err} status={status} service={options.service} />, { status });
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
    return sendErrorPage(reply, mapped, { status: typeof status === 'number' && status >= 400 && status < 500 ? status : undefined });
  });
}
