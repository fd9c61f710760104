/** Builds the process's build runner from the configuration and starts it unless BUILD_RUNNER=off. */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import { BuildRunner } from './runner.ts';

export function startBuildRunner(stores: Stores, clock: Clock, log: Logger, config: Config, cleanups: (() => Promise<void> | void)[]): BuildRunner {
  const { runner, ...options } = config.builds;
  const builds = new BuildRunner(stores, clock, log, options);
  if (runner) {
    builds.start();
    // Stops before the database closes (cleanups run in reverse): builds in flight go back to the queue.
    cleanups.push(() => builds.stop());
  }
  return builds;
}
