/**
 * What the passkey endpoints share (issue 16): they speak JSON with our script
 * (assets/passkeys.js), not pages. Their bodies and answers have schemas; any error, theirs or
 * Fastify's (a body that fails the schema, one too large), answers JSON with a fixed sentence,
 * never a page and never the error's own text (SECURITY 44).
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { logError, toOAuthError } from '../http/error_handler.ts';
import { TOO_MANY } from './login/view.tsx';

/** Every passkey request: the browser's credential (checked field by field in crypto/webauthn.ts) and what the step needs. */
export const PasskeyRequest = Type.Object({
  credential: Type.Optional(Type.Object({}, { additionalProperties: true })),
  /** The pending authorization a sign-in continues, or a path of ours to go to (domain/return_path.ts). */
  interaction: Type.Optional(Type.String({ maxLength: 200 })),
  return_to: Type.Optional(Type.String({ maxLength: 2000 })),
  /** Sign-up: the person's name and address; adding a passkey: its name. */
  name: Type.Optional(Type.String({ maxLength: 1000 })),
  email: Type.Optional(Type.String({ maxLength: 1000 })),
});
export type PasskeyRequest = Static<typeof PasskeyRequest>;

/** The options for navigator.credentials.create()/get(), as @simplewebauthn/server made them. */
const OptionsAnswer = Type.Object({ options: Type.Unknown() });
/** Where the browser goes once the ceremony is done. */
const LocationAnswer = Type.Object({ location: Type.String() });
/** Ours carry `message`, a sentence for the page; the form guard's 403 (src/app.ts) `error_description`. */
const Problem = Type.Object({ error: Type.String(), message: Type.Optional(Type.String()), error_description: Type.Optional(Type.String()) });

export const OPTIONS_SCHEMA = { body: PasskeyRequest, response: { 200: OptionsAnswer, '4xx': Problem } };
export const VERIFY_SCHEMA = { body: PasskeyRequest, response: { 200: LocationAnswer, '4xx': Problem } };

export const REFUSED = 'That passkey was not accepted. Try again, or sign in another way.';
export const EXPIRED = 'This sign-in request has expired. Go back to the application and start again.';

export function answerJson(reply: FastifyReply, body: Record<string, unknown>, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

export function problem(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return answerJson(reply, { error, message }, status);
}

export function throttledJson(reply: FastifyReply, retryAfter: number): FastifyReply {
  reply.header('retry-after', String(retryAfter));
  return problem(reply, 429, 'throttled', TOO_MANY);
}

/** The plugin's errors as JSON (the pages around it answer errors with pages). */
export function passkeyJsonErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toOAuthError(err);
    logError(request, err, mapped);
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return problem(reply, status, 'invalid_request', 'This request could not be read. Reload the page and try again.');
    return problem(reply, mapped.statusCode, mapped.error, 'Something went wrong. Try again in a moment.');
  });
}
