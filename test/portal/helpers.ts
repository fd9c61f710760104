/** A signed-in developer driving the portal's JSON API and pages through app.inject(). */
import type { TestApp } from '../support/app.ts';
import { Browser, hiddenInputs, type Response } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';

export const API = '/developers/api/v1';

export const GOOD_APP = {
  kind: 'web',
  name: 'CI Dashboard',
  description: 'Shows your builds.',
  company: 'Example Ltd',
  company_url: 'https://example.com/',
  website_url: 'https://ci.example.com/',
  redirect_uris: ['https://ci.example.com/cb'],
  scopes: ['openid', 'workitems:read'],
};

export class Developer {
  readonly browser: Browser;
  constructor(readonly t: TestApp, readonly email: string) {
    this.browser = new Browser(t);
  }

  static async signIn(t: TestApp, email: string): Promise<Developer> {
    const dev = new Developer(t, email);
    if (!(await t.deps.stores.users.findByEmail(email))) await createUser(t.deps, email);
    const res = await dev.browser.signIn(email);
    if (res.statusCode !== 303) throw new Error(`sign-in answered ${res.statusCode}`);
    return dev;
  }

  cookie(): string {
    const c = this.browser.sessionCookie();
    return c ? `${c.name}=${c.value}` : '';
  }

  api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.t.app.inject({
      method,
      url: API + path,
      headers: { cookie: this.cookie(), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }

  /**
   * Submits the new-app form of `page` (GET /developers/apps/new) as a browser does, multipart, with
   * its token and `fields`; `clientIdOf` reads the created app from the 303.
   */
  postNewAppForm(page: Response, fields: Record<string, string | string[]>): Promise<Response> {
    const body = multipart({ ...fields, token: hiddenInputs(page.body, /^\/developers\/apps$/).token! });
    return this.t.app.inject({ method: 'POST', url: '/developers/apps', headers: { cookie: this.cookie(), 'content-type': body.contentType }, payload: body.payload });
  }

  async createApp(overrides: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret?: string } & Record<string, unknown>> {
    const res = await this.api('POST', '/apps', { ...GOOD_APP, ...overrides });
    if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`);
    return res.json();
  }
}

/** The client id of the app a new-app form created (its 303 goes to the app's page). */
export function clientIdOf(created: Response): string {
  const id = /^\/developers\/apps\/([0-9a-f]+)$/.exec(String(created.headers.location))?.[1];
  if (id === undefined) throw new Error(`no app page in the answer (${created.statusCode}, location ${String(created.headers.location)})`);
  return id;
}

/** A minimal valid PNG (1×1). */
export const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** A multipart body with the given fields and one file. */
export function multipart(fields: Record<string, string | string[]>, file?: { name: string; filename: string; type: string; bytes: Buffer }) {
  const boundary = '----tessera' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
