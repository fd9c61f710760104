/**
 * GET /admin/audit (the Audit log: filters, one page of events, the next page) and
 * GET /admin/audit/export (everything the same filters match, as JSON lines, the fields of
 * `tessera audit list --json`, streamed a batch at a time; recorded as `audit.exported` with the
 * operator). Both are reads: no form token. The guard (guard.ts) ran before any handler here.
 * @module
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { isCrossSite } from '../../http/form_guard.ts';
import { assembleParams } from '../../http/params.ts';
import { auditJson } from '../../domain/audit_log.ts';
import { BadCursor } from '../../services/operator_reads.ts';
import { InvalidAuditFilter, auditPage, resolveAuditFilters, startExport, type AuditFilters } from '../../services/audit_search.ts';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { logoutToken } from '../logout/route.tsx';
import { ADMIN, AUDIT_FILTERS, type AuditLinkFilters } from './paths.ts';
import { AuditLogView } from './audit_view.tsx';
import { sendBadCursorPage } from './layout.tsx';
import { PAGE_SIZE } from './services_route.tsx';

/** The filters as typed, or the 400 page that says which one cannot be used. */
async function filtersOf(deps: Deps, request: FastifyRequest, reply: FastifyReply): Promise<{ typed: AuditLinkFilters; filters: AuditFilters; after?: string } | FastifyReply> {
  const q = assembleParams([...AUDIT_FILTERS, 'after'], request.query as RawParams);
  const { after, ...typed } = q;
  try {
    const filters = await resolveAuditFilters(deps, typed);
    return after === undefined ? { typed, filters } : { typed, filters, after };
  } catch (err) {
    if (err instanceof InvalidAuditFilter) return sendMessagePage(reply, 400, 'This filter cannot be used', err.message);
    throw err;
  }
}

export default async function auditRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.audit, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const asked = await filtersOf(deps, request, reply);
    if (!('filters' in asked)) return asked;
    let page;
    try {
      page = await auditPage(deps, asked.filters, PAGE_SIZE, asked.after);
    } catch (err) {
      if (err instanceof BadCursor) return sendBadCursorPage(reply);
      throw err;
    }
    const next = page.next === undefined ? undefined : ADMIN.auditOf({ ...asked.typed, after: page.next });
    const view = (
      <AuditLogView
        logoutToken={logoutToken(deps, signedIn.session.id)}
        filters={asked.typed}
        events={page.events}
        actors={page.actors}
        nothing={asked.filters.nothing}
        nextUrl={next}
      />
    );
    return sendPage(reply, view);
  });

  app.get(ADMIN.auditExport, async (request, reply) => {
    // A read that records an event: only from our own pages, or typed in. Another site's link
    // followed by an operator's browser (whose cookie is SameSite=Lax) must not write the log.
    if (isCrossSite(request, deps.config.issuer)) return sendMessagePage(reply, 403, 'Export refused', 'Export the audit log from its page in the console.');
    const signedIn = await signedInOf(request);
    const asked = await filtersOf(deps, request, reply);
    if (!('filters' in asked)) return asked;
    const batches = await startExport(deps, asked.filters, asked.typed, signedIn.user.id);
    async function* lines() {
      for await (const batch of batches) yield batch.map((e) => JSON.stringify(auditJson(e)) + '\n').join('');
    }
    const day = new Date(deps.clock.now() * 1000).toISOString().slice(0, 10);
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="tessera-audit-${day}.jsonl"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  });
}
