/**
 * Builds: a definition names a repository, a branch and a list of declarative steps; queuing it
 * pins the branch's commit, and Tessera's own runner (jobs/builds/) takes the build through
 * queued → running → succeeded | failed, writing a log. Steps are data interpreted by Tessera;
 * nothing a user writes is ever executed (no shell, no code, no user regular expressions).
 * @module
 */

export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** The built-in steps. `checkout` must come before the steps that read files. */
export type BuildStep =
  | { run: 'checkout' }
  | { run: 'require-file'; path: string }
  | { run: 'forbid-text'; text: string; path?: string }
  | { run: 'count-lines'; path?: string }
  | { run: 'echo'; message: string }
  | { run: 'sleep'; ms: number }
  | { run: 'fail'; message?: string };

export const STEP_KINDS = ['checkout', 'require-file', 'forbid-text', 'count-lines', 'echo', 'sleep', 'fail'] as const;
export const MAX_STEPS = 20;
export const MAX_SLEEP_MS = 10_000;
/** Builds a project may have queued or running at once; more would let one client occupy every runner. */
export const MAX_PENDING_BUILDS = 50;
const READS_FILES = new Set<BuildStep['run']>(['require-file', 'forbid-text', 'count-lines']);

/** A step as sent: one flat object whose `run` says which members it takes (MEMBERS). */
export interface StepInput {
  run: BuildStep['run'];
  path?: string;
  text?: string;
  message?: string;
  ms?: number;
}

/** The members each kind of step requires and allows, besides `run`. */
const MEMBERS: Readonly<Record<BuildStep['run'], { required: readonly string[]; optional: readonly string[] }>> = {
  checkout: { required: [], optional: [] },
  'require-file': { required: ['path'], optional: [] },
  'forbid-text': { required: ['text'], optional: ['path'] },
  'count-lines': { required: [], optional: ['path'] },
  echo: { required: ['message'], optional: [] },
  sleep: { required: ['ms'], optional: [] },
  fail: { required: [], optional: ['message'] },
};

/** Why a list of steps cannot run (a member missing or out of place, a file step before checkout), or undefined when it can. */
export function checkSteps(steps: readonly StepInput[]): string | undefined {
  if (steps.length === 0) return 'a definition needs at least one step';
  if (steps.length > MAX_STEPS) return `a definition has at most ${MAX_STEPS} steps`;
  let checkedOut = false;
  for (const [i, step] of steps.entries()) {
    const members = MEMBERS[step.run];
    const given = Object.keys(step).filter((k) => k !== 'run' && step[k as keyof StepInput] !== undefined);
    const missing = members.required.find((m) => !given.includes(m));
    if (missing) return `step ${i + 1} (${step.run}) needs ${missing}`;
    const extra = given.find((m) => !members.required.includes(m) && !members.optional.includes(m));
    if (extra) return `step ${i + 1} (${step.run}) takes no ${extra}`;
    if (step.run === 'checkout') checkedOut = true;
    if (READS_FILES.has(step.run) && !checkedOut) return `step ${i + 1} (${step.run}) reads files: put a checkout step before it`;
  }
  return undefined;
}

/** Build definition names: letters, digits, `.`, `_`, `-`; 1–100 characters; not `.` or `..`. */
export function isValidDefinitionName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,100}$/.test(name) && name !== '.' && name !== '..';
}

export interface BuildDefinition {
  id: string;
  projectId: string;
  name: string;
  repoId: string;
  /** Resolved at read time, for display. */
  repoName: string;
  branch: string;
  steps: BuildStep[];
  createdBy: string;
  createdAt: number;
}

export interface Build {
  id: string;
  projectId: string;
  /** 1, 2, 3, … within the project: the id in the API. */
  number: number;
  definitionId: string;
  definitionName: string;
  status: BuildStatus;
  branch: string;
  /** The commit the build runs against, pinned when it was queued. */
  commitId: string;
  queuedBy: string;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** How many times a runner claimed it (more than one after a runner was lost). */
  attempts: number;
  /** One line: why it failed, or what it found. */
  result: string | null;
}

export interface BuildLogLine {
  attempt: number;
  seq: number;
  at: number;
  text: string;
}

export interface BuildFilter {
  definitionId?: string;
  status?: BuildStatus;
  /** Builds numbered below this (the cursor; newest first). */
  before?: number;
  limit: number;
}

/** What a runner needs to run a build it claimed. */
export interface ClaimedBuild {
  id: string;
  number: number;
  repoId: string;
  commitId: string;
  steps: BuildStep[];
  /** This claim's attempt number; every later write is conditional on it. */
  attempt: number;
}

export interface BuildStore {
  /** `undefined` when the name is taken in this project. */
  createDefinition(input: { projectId: string; name: string; repoId: string; branch: string; steps: BuildStep[]; createdBy: string }, now: number): Promise<BuildDefinition | undefined>;
  findDefinition(projectId: string, name: string): Promise<BuildDefinition | undefined>;
  listDefinitions(projectId: string): Promise<BuildDefinition[]>;
  /** A new build, status `queued`, numbered next in its project. */
  queue(input: { projectId: string; definitionId: string; branch: string; commitId: string; queuedBy: string }, now: number): Promise<Build>;
  find(projectId: string, number: number): Promise<Build | undefined>;
  /** Builds of the project that are queued or running. */
  countPending(projectId: string): Promise<number>;
  /** Newest first. */
  list(projectId: string, filter: BuildFilter): Promise<Build[]>;
  readLog(buildId: string): Promise<BuildLogLine[]>;

  /**
   * Claims the oldest queued build for `runnerId` with one conditional UPDATE (`… WHERE status =
   * 'queued'`), so of several nodes racing for a build exactly one gets it.
   */
  claimNext(runnerId: string, now: number, leaseUntil: number): Promise<ClaimedBuild | undefined>;
  /** Extends the claim; false when this runner no longer holds it (it was reclaimed). */
  renew(buildId: string, runnerId: string, attempt: number, leaseUntil: number): Promise<boolean>;
  appendLog(buildId: string, lines: readonly BuildLogLine[]): Promise<void>;
  /** Ends the build; false (nothing written) when this runner no longer holds it. */
  finish(buildId: string, runnerId: string, attempt: number, status: 'succeeded' | 'failed', result: string | null, now: number): Promise<boolean>;
  /** Puts a build this runner holds back in the queue (the runner is stopping). */
  release(buildId: string, runnerId: string, attempt: number): Promise<boolean>;
  /**
   * Builds whose claim expired (their runner died): back to `queued` while they have had fewer
   * than `maxAttempts` claims, else `failed`.
   */
  reapExpired(now: number, maxAttempts: number): Promise<{ requeued: number; failed: number }>;
}
