/**
 * A real company directory for tests: node-oidc-provider (npm `oidc-provider`) on a loopback port,
 * with a client registered for Tessera, behind a small forwarding proxy of ours that can make it
 * misbehave: rewrite the ID token the token endpoint returns (other audience, other issuer, other
 * nonce, expired, no `sub`, no `iat`, `alg: none`, signed by a key its JWKS does not publish, a broken
 * signature) while keeping everything else real. The proxy also counts JWKS fetches (SECURITY 49).
 * `signIn()` plays the person at the directory's own pages (devInteractions: login, then consent).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { freePort, type TestApp } from '../support/app.ts';
import { loadKeyEncryptionKey } from '../../src/crypto/key_encryption.ts';
import { sealDirectorySecret } from '../../src/crypto/directory_secrets.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { Directory } from '../../src/domain/directories.ts';

export const DIRECTORY_CLIENT_ID = 'tessera';
export const DIRECTORY_CLIENT_SECRET = 'a-directory-client-secret-for-tests-0123456789';

export type Tamper =
  | 'none'
  | 'aud'
  | 'iss'
  | 'nonce'
  | 'expired'
  | 'no-sub'
  | 'no-iat'
  | 'alg-none'
  | 'foreign-key'
  | 'unknown-kid'
  | 'flipped-signature';

export interface CompanyDirectory {
  /** The issuer Tessera is configured with (the proxy's address). */
  issuer: string;
  /** What the token endpoint's ID token gets rewritten into; 'none' passes it unchanged. */
  tamper: Tamper;
  /** JWKS documents fetched through the proxy so far. */
  jwksFetches: number;
  /** What the directory says of its people's addresses (`email_verified`); true unless a test says otherwise. */
  emailVerified: boolean;
  /** Plays the person: follows the directory's pages from the authorization URL to Tessera's callback. */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts a directory whose client redirects to `redirectUri`. `issuerOverride` makes the provider
 * claim another issuer than the address it is reached at (a discovery mismatch, SECURITY 5).
 */
export async function startCompanyDirectory(redirectUri: string, options: { claimedIssuer?: string } = {}): Promise<CompanyDirectory> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'directory-key-1';
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const foreign = await generateKeyPair('ES256', { extractable: true });

  const publicPort = await freePort();
  const issuer = `http://127.0.0.1:${publicPort}`;
  const provider = new Provider(options.claimedIssuer ?? issuer, {
    clients: [
      {
        client_id: DIRECTORY_CLIENT_ID,
        client_secret: DIRECTORY_CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [privateJwk] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@corp.example`, email_verified: directory.emailVerified, name: `${id} (Corp)` }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['directory-cookie-key-for-tests'] },
  });
  const handle = provider.callback();
  // Koa's handler answers its own errors (ctx.onerror): its promise never rejects.
  const inner = createServer((req, res) => void handle(req, res));
  const innerPort = await freePort();
  await listen(inner, innerPort);

  async function rewrite(idToken: string, tamper: Tamper): Promise<string> {
    const claims = decodeJwt(idToken);
    const header = decodeProtectedHeader(idToken);
    const sign = (payload: Record<string, unknown>, key = privateKey, keyId = kid) =>
      new SignJWT(payload).setProtectedHeader({ ...header, alg: 'ES256', kid: keyId }).sign(key);
    switch (tamper) {
      case 'aud':
        return sign({ ...claims, aud: 'someone-else' });
      case 'iss':
        return sign({ ...claims, iss: 'https://evil.example' });
      case 'nonce':
        return sign({ ...claims, nonce: 'another-nonce' });
      case 'expired':
        return sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 });
      case 'no-sub': {
        const { sub: _sub, ...rest } = claims;
        return sign(rest);
      }
      case 'no-iat': {
        const { iat: _iat, ...rest } = claims;
        return new SignJWT(rest).setProtectedHeader({ ...header, alg: 'ES256', kid }).sign(privateKey);
      }
      case 'alg-none': {
        const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
      }
      case 'foreign-key':
        return sign(claims, foreign.privateKey);
      case 'unknown-kid':
        return sign(claims, foreign.privateKey, `unknown-${Math.random().toString(36).slice(2)}`);
      case 'flipped-signature': {
        const [h, p, s] = idToken.split('.');
        const sig = Buffer.from(s!, 'base64url');
        sig[0] = sig[0]! ^ 0xff;
        return `${h}.${p}.${sig.toString('base64url')}`;
      }
      default:
        return idToken;
    }
  }

  const directory: CompanyDirectory = {
    issuer,
    tamper: 'none',
    jwksFetches: 0,
    emailVerified: true,
    signIn: (url, login) => signInAt(url, login, issuer),
    async close() {
      await closeServer(outer);
      await closeServer(inner);
    },
  };

  // The proxy: forwards everything as it is (Host included, so the provider's URLs name the
  // proxy), except the token endpoint's ID token when `tamper` says so.
  const proxy = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const body = await readBody(req);
      if (req.url?.startsWith('/jwks')) directory.jwksFetches++;
      const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
        const forward = httpRequest({ host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers: req.headers }, resolve);
        forward.on('error', reject);
        forward.end(body);
      });
      let payload = await readBody(upstream);
      const headers = { ...upstream.headers };
      if (req.url?.startsWith('/token') && directory.tamper !== 'none' && upstream.statusCode === 200) {
        const json = JSON.parse(payload.toString('utf8')) as { id_token?: string };
        if (json.id_token) json.id_token = await rewrite(json.id_token, directory.tamper);
        payload = Buffer.from(JSON.stringify(json));
        delete headers['content-length'];
        delete headers['etag'];
      }
      res.writeHead(upstream.statusCode ?? 502, headers);
      res.end(payload);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  };
  // A failure after the headers went out (the 502 cannot be sent) drops the connection.
  const outer = createServer((req, res) => {
    proxy(req, res).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
  });
  await listen(outer, publicPort);
  return directory;
}

/** The person at the directory: a cookie jar, its login form, its consent form, until it sends them back. */
async function signInAt(authorizationUrl: string, login: string, directoryIssuer: string): Promise<string> {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookie = () => [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
  let url = authorizationUrl;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookie() } });
    remember(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url).href;
      if (!next.startsWith(directoryIssuer)) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) throw new Error(`the directory stopped at ${res.status}: ${html.slice(0, 500)}`);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]+)"/.exec(input[0])?.[1];
      if (!name) continue;
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name === 'login') fields.set(name, login);
      else if (name === 'password') fields.set(name, 'any password');
      else fields.set(name, value);
    }
    url = new URL(form[1]!.replace(/&amp;/g, '&'), url).href;
    init = { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the directory did not send the person back');
}

/** Registers a directory in Tessera's own store, its secret sealed under the app's KEK (as `tessera directory add` does). */
export async function addDirectory(t: TestApp, name: string, issuer: string, domains: string[], secret = DIRECTORY_CLIENT_SECRET): Promise<Directory> {
  const id = randomId();
  const result = await t.deps.stores.directories.create({
    id,
    name,
    issuer,
    clientId: DIRECTORY_CLIENT_ID,
    clientSecretSealed: sealDirectorySecret(loadKeyEncryptionKey(t.config), id, secret),
    domains,
    createdAt: t.clock.now(),
  });
  if (!result.directory) throw new Error(`directory ${name}: ${result.conflict} taken`);
  return result.directory;
}
