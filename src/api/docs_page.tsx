/** GET /api/v1/docs: the operations of the OpenAPI document as a plain page, no script. */
import type { FastifyReply } from 'fastify';
import { render } from 'preact-render-to-string';
import { STYLESHEET } from '../interaction/views/layout.tsx';

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
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{doc.info?.title ?? 'API'}</title>
        <link rel="stylesheet" href={STYLESHEET} />
      </head>
      <body>
        <main>
          <h1>{doc.info?.title}</h1>
          <p>{doc.info?.description}</p>
          <p>
            Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). Send <code>Authorization: Bearer …</code> with a
            Tessera access token; refusals are RFC 9457 problem documents with a <code>code</code>.
          </p>
          <table>
            <thead>
              <tr>
                <th>Method</th>
                <th>Path</th>
                <th>What it does</th>
                <th>Scope</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ method, path, op }) => (
                <tr>
                  <td>
                    <code>{method}</code>
                  </td>
                  <td>
                    <code>/api/v1{path}</code>
                  </td>
                  <td>{op.summary}</td>
                  <td>{(op.security ?? []).flatMap((s) => Object.values(s).flat()).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </main>
      </body>
    </html>
  );
}

export function sendDocsPage(reply: FastifyReply, doc: unknown): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    .send('<!doctype html>' + render(<DocsView doc={doc as Doc} />));
}
