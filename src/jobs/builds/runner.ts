/**
 * The built-in build runner: one per server process, all sharing the database. Each poll (and
 * each `wake()`, when this node queued a build) first hands builds of lost runners back
 * (reapExpired), then claims queued builds with a conditional UPDATE, so exactly one node runs a
 * build. While it runs, the runner renews its claim (a lease); a node that dies stops renewing,
 * and after `leaseSeconds` any node requeues the build, or fails it after `maxAttempts` claims.
 * Every write after the claim is conditional on (runner, attempt): a slow runner that lost its
 * claim cannot overwrite the outcome of the one that took over. On stop (SIGTERM), builds in
 * flight are interrupted between steps and put back in the queue for another node.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { BuildLogLine, BuildStore, ClaimedBuild } from '../../domain/builds.ts';
import type { RepositoryStore } from '../../domain/repositories.ts';
import { randomId } from '../../crypto/random.ts';
import { describeStep, runStep, type Snapshot, type StepContext } from './steps.ts';

export interface BuildRunnerOptions {
  /** How often to look for queued builds and lost runners. */
  pollMs: number;
  /** A claim not renewed for this long is considered lost. */
  leaseSeconds: number;
  /** Claims a build gets before a lost runner fails it instead of requeuing it. */
  maxAttempts: number;
  /** Builds this process runs at once. */
  concurrency: number;
}

export class BuildRunner {
  /** This process's runner id, written on the builds it claims. */
  readonly id = randomId();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly stores: { builds: BuildStore; repositories: RepositoryStore },
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: BuildRunnerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Look for work now (a build was just queued in this process); nothing unless started. */
  wake(): void {
    if (this.timer) this.kick();
  }

  private kick(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.log.warn({ err }, 'build runner poll failed; will retry'))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const reaped = await this.stores.builds.reapExpired(this.clock.now(), this.options.maxAttempts);
    if (reaped.requeued + reaped.failed > 0) this.log.warn(reaped, 'builds of a lost runner taken back');
    while (!this.stopping && this.inFlight.size < this.options.concurrency) {
      const now = this.clock.now();
      const claim = await this.stores.builds.claimNext(this.id, now, now + this.options.leaseSeconds);
      if (!claim) return;
      const controller = new AbortController();
      const done = this.run(claim, controller).finally(() => {
        this.inFlight.delete(claim.id);
        // A slot is free: there may be more queued work.
        this.wake();
      });
      this.inFlight.set(claim.id, { controller, done });
    }
  }

  /** Runs queued builds until none is left (the CLI's demo, with no server running). */
  async drain(): Promise<void> {
    for (;;) {
      this.kick();
      while (this.ticking) await this.ticking;
      if (this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight.values()].map((f) => f.done));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    while (this.ticking) await this.ticking;
    for (const { controller } of this.inFlight.values()) controller.abort(new Stopping());
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  private async run(claim: ClaimedBuild, controller: AbortController): Promise<void> {
    const { builds } = this.stores;
    const lines: BuildLogLine[] = [];
    let seq = 0;
    const log = (text: string) => lines.push({ attempt: claim.attempt, seq: ++seq, at: this.clock.now(), text });
    const flush = () => builds.appendLog(claim.id, lines.splice(0));
    // Renew the claim a few times per lease, also during a long step; losing it aborts the build here.
    const heartbeat = setInterval(() => {
      builds
        .renew(claim.id, this.id, claim.attempt, this.clock.now() + this.options.leaseSeconds)
        .then((held) => held || controller.abort(new Lost()))
        .catch(() => {});
    }, (this.options.leaseSeconds * 1000) / 3);
    heartbeat.unref();

    const ctx: StepContext = { snapshot: undefined, checkout: () => this.checkout(claim, ctx), log, signal: controller.signal };
    let result: string | null = null;
    try {
      if (claim.attempt > 1) log(`attempt ${claim.attempt}: the runner of the previous attempt stopped answering`);
      log(`build #${claim.number} started by runner ${this.id} at commit ${claim.commitId}`);
      for (const [i, step] of claim.steps.entries()) {
        if (controller.signal.aborted) break;
        log(`step ${i + 1}/${claim.steps.length}: ${describeStep(step)}`);
        const outcome = await runStep(step, ctx);
        if (!outcome.ok) {
          result = `step ${i + 1} (${step.run}) failed: ${outcome.reason}`;
          break;
        }
        await flush();
      }
      const reason: unknown = controller.signal.reason;
      if (reason instanceof Lost) return; // Another runner holds the build now; write nothing.
      if (reason instanceof Stopping) {
        log('interrupted: this runner is stopping; the build goes back to the queue');
        await flush();
        await builds.release(claim.id, this.id, claim.attempt);
        return;
      }
      log(result === null ? 'build succeeded' : `build failed: ${result}`);
      await flush();
      await builds.finish(claim.id, this.id, claim.attempt, result === null ? 'succeeded' : 'failed', result, this.clock.now());
    } catch (err) {
      this.log.error({ err, build: claim.id }, 'build failed in the runner');
      log('build failed: the runner hit an internal error');
      await flush().catch(() => {});
      await builds.finish(claim.id, this.id, claim.attempt, 'failed', 'the runner hit an internal error', this.clock.now()).catch(() => {});
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async checkout(claim: ClaimedBuild, ctx: StepContext): Promise<Snapshot> {
    const { repositories } = this.stores;
    const commit = await repositories.resolve(claim.repoId, claim.commitId);
    if (!commit) throw new Error(`commit ${claim.commitId} of repository ${claim.repoId} not found`);
    const snapshot: Snapshot = {
      commitId: commit.id,
      tree: commit.tree,
      async read(path) {
        const id = commit.tree.get(path);
        const blob = id === undefined ? undefined : await repositories.readBlob(id);
        return blob?.content ?? '';
      },
    };
    ctx.snapshot = snapshot;
    return snapshot;
  }
}

/** The runner is stopping: put the build back in the queue. */
class Stopping extends Error {}
/** The claim was lost (taken over after the lease ran out): stop without writing. */
class Lost extends Error {}
