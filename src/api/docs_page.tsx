/**
 * GET /api/v1/docs: the operations of the OpenAPI document as a plain page in the site's frame, no
 * script. A list, not a table: a path such as /api/v1/orgs/{org}/projects/{project}/workitems/{id}
 * is wider than a phone, so each operation wraps on its own (issue 20, 320 px).
 */
import type { FastifyReply } from 'fastify';
import { Layout } from '../interaction/views/layout.tsx';
import { renderPage } from '../interaction/views/send_page.ts';

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
}
interface Doc {
  info?: { title?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

function DocsView({ doc }: { doc: Doc }) {
  const rows = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
  const title = doc.info?.title ?? 'API';
  return (
    <Layout title={title} wide>
      <h1>{title}</h1>
      <p>{doc.info?.description}</p>
      <p>
        Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). Send <code>Authorization: Bearer …</code> with a
        Tessera access token; refusals are RFC 9457 problem documents with a <code>code</code>.
      </p>
      <h2>Operations</h2>
      <ul class="api-ops">
        {rows.map(({ method, path, op }) => {
          const scopes = (op.security ?? []).flatMap((s) => Object.values(s).flat());
          return (
            <li>
              <code>{method}</code> <code>/api/v1{path}</code>
              <br />
              {op.summary}
              {scopes.length > 0 && <span class="hint"> Scope: {scopes.join(', ')}</span>}
            </li>
          );
        })}
      </ul>
    </Layout>
  );
}

export function sendDocsPage(reply: FastifyReply, doc: unknown): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    .send(renderPage(reply, <DocsView doc={doc as Doc} />));
}
