#!/usr/bin/env node
/**
 * The tiny static server of the sample single-page app (issue 18). It only serves files: the page,
 * its ES module, oauth4webapi's browser build straight from node_modules, and a generated
 * `config.js` naming the issuer and the client. Everything OAuth happens in the browser
 * (draft-ietf-oauth-browser-based-apps §6.3: a browser-based OAuth client, public, PKCE, DPoP).
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (value === undefined) {
    console.error(`sample-spa: set ${name}`);
    process.exit(2);
  }
  return value;
};

const TESSERA_URL = env('TESSERA_URL').replace(/\/+$/, '');
const CLIENT_ID = env('CLIENT_ID');
const SCOPE = env('SCOPE', 'openid orgs:read workitems:read');
const HOST = env('HOST', '127.0.0.1');
const PORT = Number(env('PORT', '8090'));
const PUBLIC_URL = `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${PORT}`;

const here = dirname(fileURLToPath(import.meta.url));
const oauth4webapi = createRequire(import.meta.url).resolve('oauth4webapi');
const config = `export default ${JSON.stringify({ issuer: TESSERA_URL, clientId: CLIENT_ID, scope: SCOPE })};\n`;

const JS = 'text/javascript; charset=utf-8';
const FILES = {
  '/': ['text/html; charset=utf-8', () => readFileSync(join(here, 'index.html'))],
  // The redirect URI: the same page, which finishes the sign-in when it finds a code.
  '/callback': ['text/html; charset=utf-8', () => readFileSync(join(here, 'index.html'))],
  '/app.js': [JS, () => readFileSync(join(here, 'app.js'))],
  '/config.js': [JS, () => config],
  '/vendor/oauth4webapi.js': [JS, () => readFileSync(oauth4webapi)],
};

// The page runs only our own scripts and talks only to Tessera (the draft's §8 and §9: limit what injected script could do).
const CSP = `default-src 'none'; script-src 'self'; connect-src ${new URL(TESSERA_URL).origin}; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`;

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', PUBLIC_URL).pathname;
  // Browsers ask for an icon by themselves; there is none.
  if (path === '/favicon.ico') return void response.writeHead(204).end();
  const file = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
  if (request.method !== 'GET' || !file) {
    response.writeHead(request.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain' }).end('not here\n');
    return;
  }
  response.writeHead(200, {
    'content-type': file[0],
    'content-security-policy': CSP,
    // The callback URL carries the code: never hand it to another site in a Referer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  response.end(file[1]());
});

server.listen(PORT, HOST, () => console.log(`sample-spa: listening on ${PUBLIC_URL} (callback ${PUBLIC_URL}/callback)`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
