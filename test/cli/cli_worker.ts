/**
 * The thread test/cli/cli.ts runs CLI invocations on: the command's own code (src/cli/run.ts),
 * loaded once, one invocation at a time, each with the environment it was sent and its output
 * captured. A thread of its own, not the test's: a SQLite command waiting on a lock a server in the
 * test's thread holds must not stop that server from finishing and letting go, as it would if both
 * ran on one event loop. One at a time for the same reason between two commands.
 */
import { parentPort } from 'node:worker_threads';
import { runTessera } from '../../src/cli/run.ts';

export interface CliRequest {
  id: number;
  args: readonly string[];
  env: Record<string, string>;
}

let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (request: CliRequest) => {
  queue = queue.then(async () => {
    let stdout = '';
    let stderr = '';
    const code = await runTessera(request.args, {
      env: request.env,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    parentPort!.postMessage({ id: request.id, code, stdout, stderr });
  });
});
