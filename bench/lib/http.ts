/**
 * Plain HTTP for seeding through public endpoints: a cookie jar that follows nothing by itself,
 * form posts, and the Basic header of RFC 6749 §2.3.1.
 * @module
 */
export function basic(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64');
}

export function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Cookies by name (paths ignored: one origin, one person). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.header());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return res;
  }

  /** Follows same-origin redirects until one leaves `origin`; returns that Location. */
  async followToClient(url: string, origin: string, limit = 8): Promise<string> {
    let next = url;
    for (let i = 0; i < limit; i++) {
      const res = await this.fetch(next);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) throw new Error(`expected a redirect from ${next}, got ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
      const absolute = new URL(location, next).href;
      if (!absolute.startsWith(origin + '/')) return absolute;
      next = absolute;
    }
    throw new Error('too many redirects');
  }
}

/** POSTs a form and returns the JSON answer, failing loudly on anything but `expect`. */
export async function postJson<T>(url: string, body: Record<string, string>, headers: Record<string, string> = {}, expect = 200): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { ...FORM, ...headers }, body: form(body) });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
