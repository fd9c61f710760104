/**
 * The process: configuration → dependencies (database, migrations, keys) → app → listen.
 * SIGTERM drains (ops/drain.ts, then in-flight requests finish); SIGINT only lets in-flight
 * requests finish. Then the database closes.
 * @module
 */
import { ConfigError, loadConfig } from './config/config.ts';
import { createDeps } from './create_deps.ts';
import { buildApp } from './app.ts';
import { registerDrain } from './ops/drain.ts';

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
  const drain = registerDrain(app);
  await app.listen({ port: config.port, host: config.host });
  deps.log.info({ issuer: config.issuer, database: config.database.dialect }, 'Tessera is serving');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'draining and shutting down');
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    // An orchestrator's SIGTERM gets a grace period in which clients are sent elsewhere (ops/drain.ts);
    // Ctrl-C (SIGINT) stops at once.
    if (signal === 'SIGTERM') await drain.begin();
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
