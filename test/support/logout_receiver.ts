/**
 * A back-channel logout receiver for tests (issue 19): one loopback server, a path per app. It
 * validates every token the way an app must (OpenID Connect Back-Channel Logout 1.0 §2.6): the
 * signature against Tessera's JWKS fetched over HTTP, `typ` logout+jwt, `iss`, `aud`, `iat`/`exp`,
 * the event, `sid` and `sub`, no `nonce`, and each `jti` seen once. A path can be set to answer
 * 503 (down), never (hang) or with a redirect.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TestApp } from './app.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type Mode = 'ok' | 'down' | 'hang' | 'redirect';

export interface Received {
  path: string;
  claims: JWTPayload;
}

/** The receiver: one server, a path per app; validates every token and records it. */
export class LogoutReceiver {
  server!: Server;
  base = '';
  readonly received: Received[] = [];
  readonly problems: string[] = [];
  readonly jtis = new Set<string>();
  readonly modes = new Map<string, Mode>();
  readonly hanging: ServerResponse[] = [];
  hits = 0;

  constructor(
    private readonly t: Pick<TestApp, 'issuer'>,
    /** Milliseconds each valid token waits before its 200 (two nodes' polls then overlap). */
    private readonly delayMs = 0,
  ) {}

  async start(): Promise<void> {
    const jwks = createRemoteJWKSet(new URL(`${this.t.issuer}/.well-known/jwks.json`));
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
        void this.check(req.headers['content-type'], body, jwks).then(
          (claims) => {
            this.received.push({ path, claims });
            setTimeout(() => res.writeHead(200).end(), this.delayMs);
          },
          (err: unknown) => {
            this.problems.push(`${path}: ${String(err)}`);
            res.writeHead(400).end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async check(type: string | undefined, body: string, jwks: ReturnType<typeof createRemoteJWKSet>): Promise<JWTPayload> {
    assert.equal(type, 'application/x-www-form-urlencoded');
    const token = new URLSearchParams(body).get('logout_token');
    assert.ok(token, 'logout_token');
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: this.t.issuer, typ: 'logout+jwt', algorithms: ['ES256'], maxTokenAge: 180 });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.equal(typeof payload.aud, 'string');
    assert.deepEqual(payload.events, { [EVENT]: {} });
    assert.equal(payload.nonce, undefined, 'no nonce (§2.4)');
    assert.ok(typeof payload.sid === 'string' && payload.sid.length > 0, 'sid');
    assert.ok(typeof payload.sub === 'string', 'sub');
    assert.ok(payload.exp! - payload.iat! <= 120, 'short-lived');
    assert.ok(typeof payload.jti === 'string' && !this.jtis.has(payload.jti), `jti seen once: ${payload.jti}`);
    this.jtis.add(payload.jti);
    return payload;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

