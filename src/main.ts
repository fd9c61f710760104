/**
 * The process: configuration → dependencies (database, migrations, keys) → app → listen.
 * SIGTERM and SIGINT drain in-flight requests, then close the database.
 * @module
 */
import { ConfigError, loadConfig } from './config/config.ts';
import { createDeps } from './deps.ts';
import { buildApp } from './app.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tessera: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const deps = await createDeps(config, { defaultMetrics: true });
  const app = await buildApp(deps);
  await app.listen({ port: config.port, host: config.host });
  deps.log.info({ issuer: config.issuer, database: config.database.dialect }, 'Tessera is serving');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'draining and shutting down');
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    await app.close();
    await deps.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`tessera: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
