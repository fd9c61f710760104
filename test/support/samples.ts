/**
 * What the end-to-end tests of examples/ share: Carol's work items for a sample to list, and the
 * sample itself run as its own process.
 */
import { spawn } from 'node:child_process';
import type { Deps } from '../../src/deps.ts';
import type { User } from '../../src/domain/users.ts';
import { createUser } from './fixtures.ts';

/** carol@example.com owns Acme Corp, whose project `web` has one active work item ("Fix the login redirect", acme/web-1) and one closed ("Old and done"). */
export async function seedCarolsWorkItems(deps: Deps): Promise<User> {
  const now = deps.clock.now();
  const carol = await createUser(deps, 'carol@example.com', 'Carol');
  const { organizations, projects, workItems } = deps.stores;
  const acme = (await organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: carol.id }, now))!;
  const web = (await projects.create({ orgId: acme.id, key: 'web', name: 'Website', description: '' }, now))!;
  await workItems.create(web.id, { title: 'Fix the login redirect', type: 'bug', state: 'active', assigneeId: carol.id, description: '', createdBy: carol.id }, now);
  await workItems.create(web.id, { title: 'Old and done', type: 'task', state: 'closed', assigneeId: carol.id, description: '', createdBy: carol.id }, now);
  return carol;
}

export interface SampleProcess {
  /** Everything it wrote, stdout and stderr. */
  output(): string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** Waits until its output matches `pattern`; throws with the output if it exits first or takes longer than `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** SIGTERM if it still runs, then waits for it to exit. */
  stop(): Promise<void>;
}

/** Runs `script` (a path under examples/) with only PATH and `env` in its environment. */
export function startSample(script: string, env: Record<string, string>): SampleProcess {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async waitFor(pattern, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${script}: no ${pattern} in its output:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
