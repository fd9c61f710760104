/**
 * A security event receiver for tests (issue 19, RFC 8935 push): one loopback server, a path per
 * app. It validates every Security Event Token the way a service must: `Content-Type:
 * application/secevent+jwt`, the signature against Tessera's JWKS fetched over HTTP, `typ`
 * secevent+jwt, `iss`, `aud` (the client id the path was registered for), `sub_id` (RFC 9493
 * iss_sub), exactly one CAEP event with `event_timestamp`, and each `jti` seen once. It answers
 * 202 (RFC 8935 §2.2). A path can be set to answer 503 (down), never (hang), with a redirect, or
 * with a 400 and an RFC 8935 §2.3 error.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TestApp } from './app.ts';

const CAEP = ['https://schemas.openid.net/secevent/caep/event-type/session-revoked', 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change'];

export type SsfMode = 'ok' | 'down' | 'hang' | 'redirect' | 'reject';

export interface ReceivedEvent {
  path: string;
  claims: JWTPayload;
  /** The one event's type URI and body. */
  type: string;
  event: Record<string, unknown>;
}

export class SsfReceiver {
  server!: Server;
  base = '';
  readonly received: ReceivedEvent[] = [];
  readonly problems: string[] = [];
  readonly jtis = new Set<string>();
  readonly modes = new Map<string, SsfMode>();
  /** The client id each path belongs to: `aud` must be it. */
  readonly audiences = new Map<string, string>();
  readonly hanging: ServerResponse[] = [];
  hits = 0;

  constructor(
    /** The issuer SETs must name; `jwksUrl` when the keys are not at the issuer's own address (nodes behind one PUBLIC_URL). */
    private readonly t: Pick<TestApp, 'issuer'> & { jwksUrl?: string },
    /** Milliseconds each valid event waits before its 202 (two nodes' polls then overlap). */
    private readonly delayMs = 0,
  ) {}

  async start(): Promise<void> {
    const jwks = createRemoteJWKSet(new URL(this.t.jwksUrl ?? `${this.t.issuer}/.well-known/jwks.json`));
    this.server = createServer((req, res) => {
      this.hits++;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        const mode = this.modes.get(path) ?? 'ok';
        if (mode === 'down') return void res.writeHead(503).end();
        if (mode === 'hang') return void this.hanging.push(res);
        if (mode === 'redirect') return void res.writeHead(302, { location: `${this.base}/followed` }).end();
        if (mode === 'reject') return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_audience', description: 'not ours' }));
        void this.check(path, req.headers['content-type'], req.headers.accept, body, jwks).then(
          (received) => {
            this.received.push(received);
            setTimeout(() => res.writeHead(202).end(), this.delayMs);
          },
          (err: unknown) => {
            this.problems.push(`${path}: ${String(err)}`);
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: String(err) }));
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async check(path: string, type: string | undefined, accept: string | undefined, body: string, jwks: ReturnType<typeof createRemoteJWKSet>): Promise<ReceivedEvent> {
    assert.equal(type, 'application/secevent+jwt', 'RFC 8935 §2: Content-Type');
    assert.equal(accept, 'application/json', 'RFC 8935 §2: Accept');
    const audience = this.audiences.get(path);
    assert.ok(audience, `a client registered for ${path}`);
    const { payload, protectedHeader } = await jwtVerify(body, jwks, { issuer: this.t.issuer, audience, typ: 'secevent+jwt', algorithms: ['ES256'] });
    assert.equal(protectedHeader.typ, 'secevent+jwt');
    assert.equal(payload.aud, audience);
    assert.equal(payload.sub, undefined, 'the subject is in sub_id (SSF 1.0 §3)');
    const subId = payload.sub_id as { format?: unknown; iss?: unknown; sub?: unknown } | undefined;
    assert.equal(subId?.format, 'iss_sub');
    assert.equal(subId?.iss, this.t.issuer);
    assert.ok(typeof subId?.sub === 'string' && subId.sub.length > 0, 'sub_id.sub');
    assert.ok(typeof payload.iat === 'number');
    const events = payload.events as Record<string, Record<string, unknown>>;
    const types = Object.keys(events ?? {});
    assert.equal(types.length, 1, 'one event per SET');
    assert.ok(CAEP.includes(types[0]!), `a CAEP event type: ${types[0]}`);
    const event = events[types[0]!]!;
    assert.equal(typeof event.event_timestamp, 'number');
    assert.ok(['user', 'admin', 'policy', 'system'].includes(event.initiating_entity as string), 'CAEP §2 initiating_entity');
    assert.ok(typeof payload.jti === 'string' && !this.jtis.has(payload.jti), `jti seen once: ${payload.jti}`);
    this.jtis.add(payload.jti);
    return { path, claims: payload, type: types[0]!, event };
  }

  /** Registers `path` for `clientId` and returns its URL. */
  url(path: string, clientId?: string): string {
    if (clientId) this.audiences.set(path, clientId);
    return `${this.base}${path}`;
  }

  at(path: string): ReceivedEvent[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
