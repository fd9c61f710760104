/** The ceiling for any Node HTTP server on this machine: bare Fastify answering a constant JSON. */
import Fastify from 'fastify';
import { serveParent } from './ipc.ts';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveParent(typeof address === 'object' && address ? address.port : 0, {}, () => app.close());
