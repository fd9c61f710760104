/**
 * Cross-site request forgery defences, as one hook over every route (RFC 6749 §10.12; ASVS 3.5.1;
 * SECURITY 28; issue 13). Each route that takes a method other than GET, HEAD or OPTIONS declares
 * how it is protected in its config (`csrf`), and the hook enforces it before the handler runs:
 *
 * - `form`: a page's form. Refused when a browser says it comes from another site (Origin,
 *   Sec-Fetch-Site), or when its `token` field is not the form token bound to the session (or,
 *   for the sign-in steps that come before a session, to nothing but their own purpose) and to
 *   what the route names (`bind`: the transaction, the organization, the app).
 * - `same-origin`: a JSON endpoint authenticated by the session cookie: refused cross-site (a
 *   browser cannot send JSON cross-site without a CORS preflight, which we never answer).
 * - `exempt`: not authenticated by a cookie at all (client credentials, bearer tokens, a 405), or
 *   a request that only shows a page; it says why.
 *
 * A route that declares nothing is refused (fail closed), and test/security/route_table_guards.test.ts
 * walks Fastify's route table so that such a route cannot land unnoticed.
 *
 * Multipart bodies are read here, before the token check, into `request.body` (fields) and
 * `request.formFiles` (files), so a handler never sees a form whose token was not checked.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantEquals, hmac } from '../crypto/digest.ts';

export type CsrfRule =
  | {
      kind: 'form';
      /** What the form does: part of its token, so a token of one form cannot post another. */
      purpose: string;
      /** Bound to the session (false only for sign-in steps that come before one). */
      session: boolean;
      /** More parts the token is bound to, read from the request (path parameters, fields). */
      bind?: (request: FastifyRequest) => (string | undefined)[] | Promise<(string | undefined)[]>;
    }
  | { kind: 'same-origin' }
  | { kind: 'exempt'; why: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    csrf?: CsrfRule;
  }
  interface FastifyRequest {
    /** Files of a multipart form, read by the form guard. */
    formFiles?: FormFile[];
  }
}

export interface FormFile {
  field: string;
  bytes: Buffer;
  /** The file was larger than the multipart limit and was cut. */
  truncated: boolean;
}

/** A page's form: same-origin, with a token bound to the session and to `bind`. */
export function formRule(purpose: string, bind?: Extract<CsrfRule, { kind: 'form' }>['bind']): CsrfRule {
  return { kind: 'form', purpose, session: true, ...(bind ? { bind } : {}) };
}

/** A sign-in step's form, before any session exists: same-origin, with a token bound to `bind`. */
export function preSessionFormRule(purpose: string, bind?: Extract<CsrfRule, { kind: 'form' }>['bind']): CsrfRule {
  return { kind: 'form', purpose, session: false, ...(bind ? { bind } : {}) };
}

export const SAME_ORIGIN: CsrfRule = { kind: 'same-origin' };

export function exempt(why: string): CsrfRule {
  return { kind: 'exempt', why };
}

/** Gives every route registered in `app` (and its children) `rule`, unless it declares its own. */
export function defaultCsrfRule(app: FastifyInstance, rule: CsrfRule): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, csrf: route.config?.csrf ?? rule } as typeof route.config;
  });
}

/** The token a form carries: HMAC of its purpose, its session (or none) and what it is bound to. */
export function formToken(key: Buffer, sessionId: string | null, purpose: string, ...parts: (string | undefined)[]): string {
  return hmac(key, 'form', purpose, sessionId ?? '', ...parts.map((p) => p ?? ''));
}

/**
 * True when a browser says the request comes from anywhere but our own origin. `Origin: null`
 * (an opaque origin) is refused unless Sec-Fetch-Site vouches for our own origin: our pages send
 * `Referrer-Policy: no-referrer`, and with that policy browsers send `Origin: null` on their own
 * same-origin form posts (Fetch, "serializing a request origin"). Chromium showed this.
 */
export function isCrossSite(request: FastifyRequest, issuer: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === 'null') return site !== 'same-origin';
  return origin !== new URL(issuer).origin;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface FormGuardOptions {
  issuer: string;
  formKey: Buffer;
  /** Answers a refused page form (an HTML 403). */
  refusePage: (reply: FastifyReply) => unknown;
  /** Answers a refused JSON request (a JSON 403). */
  refuseJson: (reply: FastifyReply) => unknown;
}

/**
 * The hook; register it on the root instance, before any route. It is attached, at registration,
 * to every route that takes a method other than GET, HEAD or OPTIONS (an `onRoute` hook), so
 * reads pay nothing for it and no state-changing route can be registered without it.
 */
export function registerFormGuard(app: FastifyInstance, options: FormGuardOptions): void {
  const formGuard = async function formGuard(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const rule = request.routeOptions.config.csrf;
    if (rule === undefined) {
      request.log.error({ url: request.routeOptions.url, method: request.method }, 'route declares no CSRF rule; refused');
      return options.refuseJson(reply);
    }
    if (rule.kind === 'exempt') return undefined;
    if (rule.kind === 'same-origin') {
      if (isCrossSite(request, options.issuer)) return options.refuseJson(reply);
      await readMultipart(request);
      return undefined;
    }
    if (isCrossSite(request, options.issuer)) return options.refusePage(reply);
    await readMultipart(request);
    const sent = fieldOf(request.body, 'token');
    const session = rule.session ? ((await request.signedIn())?.session.id ?? null) : null;
    const parts = rule.bind ? await rule.bind(request) : [];
    if (sent === undefined || !constantEquals(sent, formToken(options.formKey, session, rule.purpose, ...parts))) return options.refusePage(reply);
    return undefined;
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => SAFE_METHODS.has(m))) return;
    // First of the route's own preHandlers, after any the app or the area added as hooks.
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [formGuard, ...own];
  });
}

/** A single string field of a parsed form body, or undefined. */
export function fieldOf(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, name)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A multipart form's fields (repeated ones as lists, in a null-prototype record) and files.
 * A body that ends early or breaks its boundaries is the client's mistake: a 400, not busboy's
 * error as a 500 (SECURITY 42, 44).
 */
async function readMultipart(request: FastifyRequest): Promise<void> {
  // Multipart is registered for the portal only; elsewhere the request has no isMultipart.
  if (typeof request.isMultipart !== 'function' || !request.isMultipart()) return;
  const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const files: FormFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        files.push({ field: part.fieldname, bytes, truncated: part.file.truncated });
      } else if (typeof part.value === 'string') {
        const prior = fields[part.fieldname];
        fields[part.fieldname] = prior === undefined ? part.value : Array.isArray(prior) ? [...prior, part.value] : [prior, part.value];
      }
    }
  } catch (err) {
    if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
    throw new MalformedMultipart('malformed multipart body', { cause: err });
  }
  request.body = fields;
  request.formFiles = files;
}

class MalformedMultipart extends Error {
  readonly statusCode = 400;
  readonly code = 'malformed_multipart';
}
