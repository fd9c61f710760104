/** The frame of every console page: the shared layout, wide, with the console's own way around. */
import type { ComponentChildren } from 'preact';
import type { FastifyReply } from 'fastify';
import { Layout } from '../views/layout.tsx';
import { sendMessagePage } from '../views/error_page.tsx';
import { ADMIN } from './paths.ts';

export type Section = 'overview' | 'services' | 'people' | 'orgs' | 'keys' | 'audit';

export interface AdminPageProps {
  title: string;
  logoutToken: string;
  /** The section the page belongs to, marked in the navigation; none on the step-up pages. */
  section?: Section;
  children: ComponentChildren;
}

export function AdminLayout({ title, logoutToken, section, children }: AdminPageProps) {
  return (
    <Layout title={`${title} · Operator console`} wide account={{ logoutToken }}>
      <nav class="portal-nav admin-nav" aria-label="Operator console">
        <a href={ADMIN.home} aria-current={section === 'overview' ? 'page' : undefined}>
          Overview
        </a>
        <a href={ADMIN.services} aria-current={section === 'services' ? 'page' : undefined}>
          Services
        </a>
        <a href={ADMIN.people} aria-current={section === 'people' ? 'page' : undefined}>
          People
        </a>
        <a href={ADMIN.orgs} aria-current={section === 'orgs' ? 'page' : undefined}>
          Organizations
        </a>
        <a href={ADMIN.keys} aria-current={section === 'keys' ? 'page' : undefined}>
          Keys
        </a>
        <a href={ADMIN.audit} aria-current={section === 'audit' ? 'page' : undefined}>
          Audit log
        </a>
      </nav>
      {children}
    </Layout>
  );
}

/** A notice after an action (`?done=`), read from a fixed table: never text from the request. */
export function Notice({ text }: { text: string | undefined }) {
  return text === undefined ? null : (
    <p class="notice" role="status">
      {text}
    </p>
  );
}

/** A yes/no filter of a search (`?name=yes|no`); anything else is "Any". */
export type YesNo = 'yes' | 'no' | undefined;

export function yesNo(value: string | undefined): YesNo {
  return value === 'yes' || value === 'no' ? value : undefined;
}

/** The filter as the reads take it: true, false, or undefined for any. */
export function asFilter(value: YesNo): boolean | undefined {
  return value === undefined ? undefined : value === 'yes';
}

export function FilterSelect({ name, label, value, yes, no }: { name: string; label: string; value: YesNo; yes: string; no: string }) {
  return (
    <label>
      {label}
      <select name={name}>
        <option value="" selected={value === undefined}>
          Any
        </option>
        <option value="yes" selected={value === 'yes'}>
          {yes}
        </option>
        <option value="no" selected={value === 'no'}>
          {no}
        </option>
      </select>
    </label>
  );
}

export interface SearchPageProps {
  title: string;
  logoutToken: string;
  section: Section;
  /** Where the search form is sent (GET). */
  action: string;
  /** The search box's label ("Name or slug"); without one, the filters are the whole form. */
  label?: string;
  query?: string | undefined;
  /** Filters beside the search box (FilterSelect), if any. */
  filters?: ComponentChildren;
  /** Between the form and the rows (a hint, an export link). */
  tools?: ComponentChildren;
  /** What an empty result says. */
  empty: string;
  /** One `<li>` per row (or what `layout` takes); nothing when the page is empty. */
  rows: ComponentChildren[];
  /** Lays the rows out; a list by default. */
  layout?: (rows: ComponentChildren[]) => ComponentChildren;
  /** The next page's address, when there is one (keyset pages). */
  nextUrl: string | undefined;
}

/** A console search page: the search form, one page of rows, and the link to the next page. */
export function SearchPage(p: SearchPageProps) {
  return (
    <AdminLayout title={p.title} logoutToken={p.logoutToken} section={p.section}>
      <h1>{p.title}</h1>
      <form method="get" action={p.action} role="search" class="admin-search">
        {p.label !== undefined && (
          <label>
            {p.label}
            <input type="text" name="q" value={p.query ?? ''} maxLength={254} />
          </label>
        )}
        {p.filters}
        <button type="submit">Search</button>
      </form>
      {p.tools}
      {p.rows.length === 0 ? <p>{p.empty}</p> : p.layout ? p.layout(p.rows) : <ul class="apps admin-list">{p.rows}</ul>}
      {p.nextUrl !== undefined && (
        <p>
          <a href={p.nextUrl}>Next page</a>
        </p>
      )}
    </AdminLayout>
  );
}

/** A cursor in a search's address that no page handed out (BadCursor): a 400 with a plain sentence. */
export function sendBadCursorPage(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 400, 'Page not found', 'This page of results is not one we handed out. Start the search again.');
}
