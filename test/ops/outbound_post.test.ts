/**
 * One outbound POST (issue 19, jobs/outbound/post.ts) against real receivers on loopback: the
 * form arrives, a redirect is not followed, a receiver that hangs costs the timeout and no more,
 * and a refused address is never connected to. Name resolution is the one thing a test replaces
 * (`resolve`): no hosts entry can be written here, so a made-up name resolves where the test says.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundRefusedError, postForm } from '../../src/jobs/outbound/post.ts';

const options = { allowPrivate: false, connectMs: 1000, totalMs: 1000 };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
  });
}

describe('outbound POST', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; type: string | undefined; body: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        seen.push({ path: req.url!, type: req.headers['content-type'], body });
        if (req.url === '/hang') return; // never answers
        if (req.url === '/redirect') res.writeHead(307, { location: `${base}/target` }).end();
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('posts the form as application/x-www-form-urlencoded', async () => {
    const answer = await postForm(`${base}/bc`, { logout_token: 'a.b.c' }, options);
    assert.equal(answer.status, 200);
    const last = seen.at(-1)!;
    assert.equal(last.path, '/bc');
    assert.equal(last.type, 'application/x-www-form-urlencoded');
    assert.equal(last.body, 'logout_token=a.b.c');
  });

  it('does not follow a redirect', async () => {
    const before = seen.length;
    const answer = await postForm(`${base}/redirect`, { logout_token: 'x' }, options);
    assert.equal(answer.status, 307);
    assert.deepEqual(seen.slice(before).map((s) => s.path), ['/redirect']);
  });

  it('gives up on a receiver that hangs after the total time', async () => {
    const started = Date.now();
    await assert.rejects(postForm(`${base}/hang`, { logout_token: 'x' }, { ...options, totalMs: 300 }), /no answer .* within 300 ms/);
    assert.ok(Date.now() - started < 900, `took ${Date.now() - started} ms`);
  });

  it('refuses a literal private address without connecting, unless private addresses are allowed', async () => {
    await assert.rejects(postForm('https://10.0.0.1/bc', { logout_token: 'x' }, options), OutboundRefusedError);
    await assert.rejects(postForm('https://169.254.169.254/bc', { logout_token: 'x' }, options), OutboundRefusedError);
  });

  it('refuses a name that resolves to a private address, and one with any private address among its answers', async () => {
    const resolve = async (name: string) => (name === 'internal.test' ? [{ address: '10.0.0.7', family: 4 }] : [{ address: '8.8.8.8', family: 4 }, { address: 'fd00::7', family: 6 }]);
    await assert.rejects(postForm('https://internal.test/bc', { logout_token: 'x' }, { ...options, resolve }), /resolves to 10\.0\.0\.7/);
    await assert.rejects(postForm('https://mixed.test/bc', { logout_token: 'x' }, { ...options, resolve }), /resolves to fd00::7/);
  });

  it('connects to the address it judged, not to a second lookup of the name', async () => {
    // A receiver on 127.0.0.2 only; the system resolves localhost to 127.0.0.1 or ::1, where
    // nothing listens on this port. The request arrives only if it connects to the judged address.
    const other = createServer((req, res) => res.writeHead(200).end(req.url));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.2', resolve));
    const port = (other.address() as AddressInfo).port;
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: '127.0.0.2', family: 4 }];
    };
    try {
      const answer = await postForm(`http://localhost:${port}/pinned`, { logout_token: 'p' }, { ...options, resolve });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, '/pinned');
      assert.equal(lookups, 1);
    } finally {
      other.close();
    }
  });

  it('uses the system resolver for localhost (loopback is allowed)', async () => {
    const port = (server.address() as AddressInfo).port;
    const answer = await postForm(`http://localhost:${port}/local`, { logout_token: 'l' }, options);
    assert.equal(answer.status, 200);
  });

  it('fails fast on a closed port', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await assert.rejects(postForm(`http://127.0.0.1:${port}/bc`, { logout_token: 'x' }, options), /ECONNREFUSED/);
  });
});
