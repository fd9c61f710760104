/**
 * The pages a mailed link opens (issue 15): a confirm button first (never a change on GET: mail
 * scanners open links), then what happened, or why the link cannot be used, in plain words.
 * @module
 */
import type { LinkProblem } from '../../domain/account_links.ts';
import { Layout } from '../views/layout.tsx';

/** Where a page sends the person next. */
export interface Next {
  href: string;
  label: string;
}

/** A page that only says something, with at most one way on. */
export function EmailMessageView({ title, lines, next }: { title: string; lines: string[]; next?: Next | undefined }) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {lines.map((line) => (
        <p>{line}</p>
      ))}
      {next && (
        <p class="actions">
          <a class="button" href={next.href}>
            {next.label}
          </a>
        </p>
      )}
    </Layout>
  );
}

/** The button that uses a link: a same-origin POST carrying the link and its form token. */
export function ConfirmLinkView(p: { title: string; lines: string[]; action: string; link: string; token: string; button: string }) {
  return (
    <Layout title={p.title}>
      <h1>{p.title}</h1>
      {p.lines.map((line) => (
        <p>{line}</p>
      ))}
      <form method="post" action={p.action}>
        <input type="hidden" name="token" value={p.token} />
        <input type="hidden" name="link" value={p.link} />
        <button type="submit">{p.button}</button>
      </form>
    </Layout>
  );
}

/**
 * Why a link cannot be used: status, title and sentences. `again` says where a new one comes from
 * (it differs between a verification link and a change of address).
 */
export function linkRefusal(problem: LinkProblem, again: string): { status: number; title: string; lines: string[] } {
  switch (problem) {
    case 'unknown':
      return { status: 400, title: 'This link is not valid', lines: ['Check that you opened the whole link from the mail, and that it is the newest one we sent.', again] };
    case 'used':
      return { status: 410, title: 'This link was already used', lines: ['Each link works once. If you used it already, what it was for is done: there is nothing more to do.', again] };
    case 'expired':
      return { status: 410, title: 'This link has expired', lines: ['Links to confirm an address work for 24 hours.', again] };
    case 'stale':
      return { status: 410, title: 'This link is for an old address', lines: ['The address of the account changed after this link was sent, so it no longer applies.', again] };
  }
}
