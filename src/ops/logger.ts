/**
 * pino, with every place a credential can appear redacted (SECURITY 45): request bodies and
 * authorization headers are never logged, and neither are cookies.
 * @module
 */
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/config.ts';

// Not `code`: error objects carry a `code` (ECONNREFUSED, 23505) that operators need; we never log authorization codes.
const SECRET_FIELDS = ['password', 'client_secret', 'code_verifier', 'refresh_token', 'access_token', 'id_token', 'token'];

/** Credential fields are censored at the top level and up to two levels inside a logged object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]),
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Query strings can carry codes and states: log the path only.
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
      },
    },
    destination,
  );
}
