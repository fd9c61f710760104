/**
 * Each request's logger is made when it first writes (ops/request_logger.ts): what it writes must
 * be what a pino child writes — the request id bound, credentials redacted — and a level that is
 * off must write nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createLogger } from '../../src/ops/logger.ts';
import { LazyRequestLogger, lazyRequestLoggers } from '../../src/ops/request_logger.ts';

async function serverLogging(level: 'info' | 'warn', route: (log: import('fastify').FastifyBaseLogger) => void) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = Fastify({ loggerInstance: log, childLoggerFactory: lazyRequestLoggers });
  app.get('/x', async (request) => {
    route(request.log);
    return { ok: true };
  });
  app.get('/quiet', { logLevel: 'error' }, async (request) => {
    request.log.warn('not written: this route logs errors only');
    return { ok: true };
  });
  await app.ready();
  return { app, lines };
}

describe('request loggers made on first write', () => {
  it('a line carries the request id and is redacted like the parent logger', async () => {
    const { app, lines } = await serverLogging('warn', (log) => log.warn({ body: { password: 'hunter2' } }, 'something odd'));
    const response = await app.inject({ method: 'GET', url: '/x' });
    assert.equal(response.statusCode, 200);
    const line = lines.find((l) => l.msg === 'something odd');
    assert.ok(line, JSON.stringify(lines));
    assert.equal(typeof line.reqId, 'string');
    assert.deepEqual(line.body, { password: '[redacted]' });
    // At warn, Fastify's own per-request info lines are not written.
    assert.equal(lines.filter((l) => l.msg === 'incoming request').length, 0);
    await app.close();
  });

  it('at info, Fastify request lines are written with the request id; a disabled level writes nothing', async () => {
    const { app, lines } = await serverLogging('info', (log) => log.debug('not at info'));
    await app.inject({ method: 'GET', url: '/x' });
    const incoming = lines.filter((l) => l.msg === 'incoming request');
    assert.equal(incoming.length, 1);
    assert.equal(typeof incoming[0]!.reqId, 'string');
    assert.equal(lines.filter((l) => l.msg === 'not at info').length, 0);
    await app.close();
  });

  it("a route's own level decides for its requests", async () => {
    const { app, lines } = await serverLogging('info', () => {});
    await app.inject({ method: 'GET', url: '/quiet' });
    assert.equal(lines.filter((l) => String(l.msg).startsWith('not written')).length, 0);
    await app.close();
  });

  it('makes no child until a line is written at an enabled level', () => {
    let children = 0;
    const parent = createLogger('warn', { write: () => {} });
    const counting = Object.assign(Object.create(parent) as typeof parent, {
      child: (...args: Parameters<typeof parent.child>) => {
        children++;
        return parent.child(...args);
      },
    });
    const log = new LazyRequestLogger(counting, { reqId: 'req-1' }, {});
    log.info('off');
    log.debug('off');
    assert.equal(children, 0);
    log.warn('on');
    log.error('on');
    assert.equal(children, 1);
  });
});
