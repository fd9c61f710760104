/**
 * The built-in build steps, interpreted by Tessera against the repository snapshot at the build's
 * commit. Nothing here executes what a user wrote: paths are looked up in the commit's tree, text
 * is matched literally (a user-supplied regular expression could backtrack for minutes on the
 * event loop, ReDoS), and `sleep` is bounded (domain/builds.ts MAX_SLEEP_MS).
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BuildStep } from '../../domain/builds.ts';
import type { Tree } from '../../domain/repositories.ts';

/** The files of the commit a build runs against. */
export interface Snapshot {
  commitId: string;
  /** path → blob id, the whole tree (a Map: a path may be named `constructor`). */
  tree: Tree;
  read(path: string): Promise<string>;
}

export interface StepContext {
  /** Loaded by `checkout`; the steps that read files come after it (checkSteps). */
  snapshot: Snapshot | undefined;
  checkout(): Promise<Snapshot>;
  log(text: string): void;
  signal: AbortSignal;
}

export type StepOutcome = { ok: true } | { ok: false; reason: string };

/** At most this many files are read by one step, so a huge repository cannot pin a runner. */
export const MAX_SCANNED_FILES = 1000;
const MAX_REPORTED = 20;

/** How a step reads in the log. */
export function describeStep(step: BuildStep): string {
  switch (step.run) {
    case 'checkout':
      return 'checkout';
    case 'require-file':
      return `require-file ${step.path}`;
    case 'forbid-text':
      return `forbid-text ${JSON.stringify(step.text)}${step.path ? ` in ${step.path}` : ''}`;
    case 'count-lines':
      return `count-lines${step.path ? ` ${step.path}` : ''}`;
    case 'echo':
      return 'echo';
    case 'sleep':
      return `sleep ${step.ms} ms`;
    case 'fail':
      return 'fail';
  }
}

/** Files at `prefix` (a file, or a directory and everything under it; '' or absent is all), sorted. */
function filesUnder(tree: Tree, prefix: string | undefined): string[] {
  const dir = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return [...tree.keys()]
    .filter((p) => dir === '' || p === dir || p.startsWith(`${dir}/`))
    .sort();
}

function needSnapshot(ctx: StepContext): Snapshot {
  // checkSteps refuses such definitions; a definition stored before that rule still fails cleanly.
  if (!ctx.snapshot) throw new StepFailure('no checkout before this step');
  return ctx.snapshot;
}

class StepFailure extends Error {}

export async function runStep(step: BuildStep, ctx: StepContext): Promise<StepOutcome> {
  try {
    return await dispatch(step, ctx);
  } catch (err) {
    if (err instanceof StepFailure) return { ok: false, reason: err.message };
    throw err;
  }
}

async function dispatch(step: BuildStep, ctx: StepContext): Promise<StepOutcome> {
  switch (step.run) {
    case 'checkout': {
      const snapshot = await ctx.checkout();
      ctx.log(`checked out commit ${snapshot.commitId}: ${snapshot.tree.size} files`);
      return { ok: true };
    }
    case 'require-file': {
      const { tree } = needSnapshot(ctx);
      const path = step.path.replace(/^\/+|\/+$/g, '');
      if (!tree.has(path)) {
        ctx.log(`missing: ${path}`);
        return { ok: false, reason: `required file ${path} is missing` };
      }
      ctx.log(`found: ${path}`);
      return { ok: true };
    }
    case 'forbid-text': {
      const snapshot = needSnapshot(ctx);
      const files = filesUnder(snapshot.tree, step.path).slice(0, MAX_SCANNED_FILES);
      const hits: string[] = [];
      for (const file of files) {
        const lines = (await snapshot.read(file)).split('\n');
        lines.forEach((line, i) => {
          if (line.includes(step.text)) hits.push(`${file}:${i + 1}`);
        });
      }
      for (const hit of hits.slice(0, MAX_REPORTED)) ctx.log(`found at ${hit}`);
      if (hits.length > MAX_REPORTED) ctx.log(`… and ${hits.length - MAX_REPORTED} more`);
      ctx.log(`${files.length} files scanned, ${hits.length} matches`);
      return hits.length === 0 ? { ok: true } : { ok: false, reason: `forbidden text found ${hits.length} times, first at ${hits[0]}` };
    }
    case 'count-lines': {
      const snapshot = needSnapshot(ctx);
      const files = filesUnder(snapshot.tree, step.path).slice(0, MAX_SCANNED_FILES);
      let total = 0;
      for (const [i, file] of files.entries()) {
        const content = await snapshot.read(file);
        const count = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
        total += count;
        if (i < 50) ctx.log(`${String(count).padStart(6)} ${file}`);
      }
      if (files.length > 50) ctx.log(`… and ${files.length - 50} more files`);
      ctx.log(`${String(total).padStart(6)} lines in ${files.length} files`);
      return { ok: true };
    }
    case 'echo':
      ctx.log(step.message);
      return { ok: true };
    case 'sleep':
      await sleep(step.ms, undefined, { signal: ctx.signal }).catch(() => {});
      return { ok: true };
    case 'fail':
      ctx.log(step.message ?? 'failing as asked');
      return { ok: false, reason: step.message ?? 'a fail step ran' };
  }
}
