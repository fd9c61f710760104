/**
 * A cookie-jar browser over `app.inject()`: it keeps cookies, follows redirects within our origin,
 * reads forms (action, hidden inputs, buttons) and submits them as a person would. `authorize()`
 * runs a whole authorization request through sign-in and approval and returns the redirect that
 * leaves for the client. Nothing is mocked: every step is a real request to the real app.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';
import { PASSWORD } from './fixtures.ts';

export type Response = LightMyRequestResponse;

export interface Cookie {
  name: string;
  value: string;
  /** The raw Set-Cookie line that set it, for flag checks. */
  raw: string;
}

export class Browser {
  readonly cookies = new Map<string, Cookie>();
  /** Every Set-Cookie line seen, in order (SECURITY 36). */
  readonly setCookieLines: string[] = [];

  constructor(readonly t: TestApp) {}

  /** One request, with the jar's cookies; the response's Set-Cookie lines update the jar. */
  async request(options: { method?: InjectOptions['method']; url: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> }): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = [...this.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
    if (cookie && headers.cookie === undefined) headers.cookie = cookie;
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    }
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const res = await this.t.app.inject({ method: options.method ?? (options.form || options.json !== undefined ? 'POST' : 'GET'), url: this.path(options.url), headers, payload });
    this.store(res);
    return res;
  }

  get(url: string, headers?: Record<string, string>): Promise<Response> {
    return this.request({ url, headers });
  }

  post(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response> {
    return this.request({ method: 'POST', url, form, headers });
  }

  /** A JSON POST, as our page scripts send one (the passkey endpoints, issue 16). */
  postJson(url: string, json: unknown, headers?: Record<string, string>): Promise<Response> {
    return this.request({ method: 'POST', url, json, headers });
  }

  /** Follows redirects that stay on our origin; stops at a page or at a redirect that leaves. */
  async follow(res: Response, limit = 10): Promise<Response> {
    let current = res;
    for (let i = 0; i < limit; i++) {
      const location = redirectLocation(current);
      if (location === undefined || !this.isOurs(location)) return current;
      current = await this.get(location);
    }
    throw new Error('too many redirects');
  }

  /** Submits the page's form whose action matches, with its hidden inputs plus `fields`. */
  async submit(page: Response, action: RegExp, fields: Record<string, string> = {}, headers?: Record<string, string>): Promise<Response> {
    const form = findForm(page.body, action);
    if (!form) throw new Error(`no form matching ${action} on the page (status ${page.statusCode}):\n${page.body.slice(0, 2000)}`);
    return this.post(form.action, { ...form.hidden, ...fields }, headers);
  }

  /** Signs in on a page showing the sign-in form; returns the response to the POST. */
  async signInOn(page: Response, email: string, password = PASSWORD): Promise<Response> {
    return this.submit(page, /^\/login$/, { email, password });
  }

  /** Signs in without a pending authorization. */
  async signIn(email: string, password = PASSWORD): Promise<Response> {
    return this.signInOn(await this.get('/login'), email, password);
  }

  sessionCookie(): Cookie | undefined {
    return [...this.cookies.values()].find((c) => c.name.endsWith('tessera_session'));
  }

  isOurs(location: string): boolean {
    return location.startsWith('/') && !location.startsWith('//') ? true : location.startsWith(this.t.issuer + '/');
  }

  private path(url: string): string {
    return url.startsWith(this.t.issuer) ? url.slice(this.t.issuer.length) || '/' : url;
  }

  private store(res: Response): void {
    const header = res.headers['set-cookie'];
    const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const raw of lines) {
      this.setCookieLines.push(raw);
      const [pair = '', ...attributes] = raw.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { name, value, raw });
    }
  }
}

export function redirectLocation(res: Response): string | undefined {
  if (res.statusCode < 300 || res.statusCode >= 400) return undefined;
  const location = res.headers.location;
  return typeof location === 'string' ? location : undefined;
}

export interface Form {
  action: string;
  method: string;
  hidden: Record<string, string>;
  buttons: { name: string; value: string; text: string }[];
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, entity: string) => {
    const e = entity.toLowerCase();
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? '');
  return out;
}

/** The forms of a page, read with the simple regular markup our views produce. */
export function parseForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attributes(m[1]!);
    const body = m[2]!;
    const hidden: Record<string, string> = {};
    for (const input of body.matchAll(/<input\b([^>]*)\/?>/g)) {
      const a = attributes(input[1]!);
      // What a browser sends without the person touching anything: hidden inputs, and checkboxes
      // and radio buttons that are checked by default.
      const checked = (a.type === 'checkbox' || a.type === 'radio') && 'checked' in a;
      if ((a.type === 'hidden' || checked) && a.name) hidden[a.name] = 'value' in a ? a.value! : 'on';
    }
    const buttons = [...body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map((b) => {
      const a = attributes(b[1]!);
      return { name: a.name ?? '', value: a.value ?? '', text: decodeEntities(b[2]!.replace(/<[^>]*>/g, '').trim()) };
    });
    forms.push({ action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), hidden, buttons });
  }
  return forms;
}

export function findForm(html: string, action: RegExp): Form | undefined {
  return parseForms(html).find((f) => action.test(f.action));
}

export function hiddenInputs(html: string, action: RegExp): Record<string, string> {
  return findForm(html, action)?.hidden ?? {};
}

export function isSignInPage(res: Response): boolean {
  return res.statusCode < 300 && findForm(res.body, /^\/login$/) !== undefined;
}

export function isApprovalPage(res: Response): boolean {
  return res.statusCode === 200 && findForm(res.body, /^\/interaction\/[^/]+\/decision$/) !== undefined && !isWarningPage(res);
}

/** The "This service has not been verified" page (issue 20): an unverified service asking for high-privilege scopes. */
export function isWarningPage(res: Response): boolean {
  return res.statusCode === 200 && findForm(res.body, /^\/interaction\/[^/]+\/warning$/) !== undefined;
}

/** Presses "Continue to <service>" on the unverified-service warning; follows on to the approval page. */
export async function passWarning(browser: Browser, page: Response): Promise<Response> {
  return browser.follow(await browser.submit(page, /^\/interaction\/[^/]+\/warning$/));
}

/** `res`, or, when it is the unverified-service warning, the approval page past it (as a person who continues). */
export async function pastWarning(browser: Browser, res: Response): Promise<Response> {
  return isWarningPage(res) ? passWarning(browser, res) : res;
}

/** The approval page's list of what is asked now (its scopes fieldset), and of what was allowed before (issue 20), '' when absent. */
export function approvalSections(html: string): { asked: string; before: string } {
  const part = (re: RegExp) => re.exec(html)?.[0] ?? '';
  return { asked: part(/<fieldset class="scopes">[\s\S]*?<\/fieldset>/), before: part(/<details class="allowed-before">[\s\S]*?<\/details>/) };
}

/** Presses "Approve" or "Deny" on the approval page. */
export function decideOn(browser: Browser, page: Response, approve: boolean, headers?: Record<string, string>): Promise<Response> {
  return browser.submit(page, /^\/interaction\/[^/]+\/decision$/, { decision: approve ? 'approve' : 'deny' }, headers);
}

/** A PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/authorize?${new URLSearchParams(params)}`;
}

export interface AuthorizeOptions {
  /** Who signs in when asked; without it a sign-in page ends the run with an error. */
  email?: string;
  password?: string;
  /** What to press on the approval page; without it an approval page ends the run with an error. */
  approve?: boolean;
  /** Reuse a browser (its session); a new one otherwise. */
  browser?: Browser;
}

/**
 * Runs an authorization request to the end: GET /authorize, sign in when asked, approve or deny
 * when asked, and returns the redirect URL that leaves for the client.
 */
export async function authorize(t: TestApp, params: Record<string, string>, options: AuthorizeOptions = {}): Promise<URL> {
  const browser = options.browser ?? new Browser(t);
  let res = await browser.follow(await browser.get(authorizeUrl(params)));
  for (let step = 0; step < 5; step++) {
    const location = redirectLocation(res);
    if (location !== undefined) return new URL(location);
    if (isSignInPage(res) && options.email !== undefined) {
      res = await browser.follow(await browser.signInOn(res, options.email, options.password));
    } else if (isWarningPage(res) && options.approve !== undefined) {
      // A person who means to approve continues past the warning; one who means to deny goes back to safety (the same Deny).
      res = options.approve ? await passWarning(browser, res) : await browser.follow(await decideOn(browser, res, false));
    } else if (isApprovalPage(res) && options.approve !== undefined) {
      res = await browser.follow(await decideOn(browser, res, options.approve));
    } else {
      throw new Error(`authorization stopped at ${res.statusCode}:\n${res.body.slice(0, 2000)}`);
    }
  }
  throw new Error('authorization did not finish');
}

/** Standard parameters for a client, with a fresh PKCE challenge; override any of them. */
export function codeRequest(clientId: string, redirectUri: string, extra: Record<string, string> = {}): { params: Record<string, string>; verifier: string } {
  const { verifier, challenge } = pkcePair();
  return {
    verifier,
    params: {
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'st-' + randomBytes(6).toString('hex'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    },
  };
}
