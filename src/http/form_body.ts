/**
 * The form-body parser for the whole app: strict urlencoded parsing (see urlencoded.ts), UTF-8
 * only. JSON keeps Fastify's parser, which refuses `__proto__` and `constructor.prototype` keys.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { MalformedParams, parseUrlEncoded } from './urlencoded.ts';

export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const charset = /charset=([^;\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      done(new MalformedParams('only UTF-8 form bodies are accepted'), undefined);
      return;
    }
    try {
      done(null, parseUrlEncoded(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
