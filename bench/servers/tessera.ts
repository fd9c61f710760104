/**
 * Tessera as it runs in production (src/main.ts): configuration from the environment, then
 * createDeps → buildApp → listen. Only BENCH_PG_SCHEMA is added, to run in a throwaway schema.
 */
import { loadConfig } from '../../src/config/config.ts';
import { createDeps } from '../../src/create_deps.ts';
import { buildApp } from '../../src/app.ts';
import { serveParent } from './ipc.ts';

const config = loadConfig(process.env);
if (config.database.dialect === 'postgres' && process.env.BENCH_PG_SCHEMA) config.database.schema = process.env.BENCH_PG_SCHEMA;
const deps = await createDeps(config, { defaultMetrics: true });
const app = await buildApp(deps);
await app.listen({ port: config.port, host: config.host });
serveParent(config.port, {}, async () => {
  await app.close();
  await deps.close();
});
