/**
 * The pages a browser gets for an address with nothing behind it (404) and for a method the address
 * does not take (405), in the site's frame, in plain words, with a way back (issue 20). Sent through
 * http/status_pages.ts, which keeps JSON for clients that asked for it.
 */
import type { FastifyReply } from 'fastify';
import { Layout } from './layout.tsx';
import { pageCsp, renderPage } from './send_page.ts';
import type { StatusCode } from '../../http/status_pages.ts';

const WORDS: Record<StatusCode, { title: string; message: string }> = {
  404: {
    title: 'Page not found',
    message: 'There is nothing at this address. The link may be mistyped or out of date.',
  },
  405: {
    title: 'This page cannot be opened this way',
    message: 'This address takes a form sent from one of our pages, not a link. Go back to the page you came from and use its button.',
  },
};

export function StatusPageView({ status }: { status: StatusCode }) {
  const { title, message } = WORDS[status];
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </Layout>
  );
}

export function statusPage(reply: FastifyReply, status: StatusCode): string {
  reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', pageCsp());
  return renderPage(reply, <StatusPageView status={status} />);
}
