/**
 * Group commit on the one SQLite connection of a process (issue 14).
 *
 * Every refresh rotation, code redemption and other write used to be a transaction of its own:
 * BEGIN IMMEDIATE, its statements, COMMIT. Most of a small commit's cost is the commit itself: the
 * log frames of every page it touched (the table's last page, each index's leaf, the updated row's
 * page) written and checksummed, and the locks taken and dropped; two rotations touch many of the
 * same pages. Here the writes that arrive within one turn of the event loop share one transaction:
 *
 * - A unit of work (a Kysely transaction, or one write statement run on its own) waits for the
 *   group: at the end of the turn (setImmediate) one BEGIN IMMEDIATE opens it, the waiting units
 *   run one after the other, each inside a SAVEPOINT released on success or rolled back to on its
 *   own failure (https://www.sqlite.org/lang_savepoint.html), and one COMMIT ends it.
 * - A unit's commit resolves only after that COMMIT returned: nothing is answered before it is in
 *   the log (as durable as a commit of its own: `synchronous = NORMAL`, so a killed process loses
 *   nothing committed; docs/reliability.md). If the COMMIT fails, or SQLite rolls the whole
 *   transaction back after an error (SQLITE_FULL, SQLITE_IOERR: "Response To Errors Within A
 *   Transaction", https://www.sqlite.org/lang_transaction.html), every unit of the group fails and
 *   the connection is back in autocommit for the next group.
 * - Reads never run inside an open group, so no answer is built from a write that is not yet
 *   committed: a read (and any statement SQLite calls read-only, pragmas, a raw BEGIN) waits until
 *   the group committed. A group is open only while its units run, back to back, within one turn,
 *   so the write lock is held about as long as the units' own statements take, and another process
 *   on the same file (the CLI, a second server) finds it free between groups as before.
 * - A raw BEGIN … COMMIT run by hand on one Kysely connection (a migration that rebuilds a table
 *   with foreign keys off) has the connection to itself until its transaction ends.
 *
 * Checkpoints: persistence/wal_checkpoints.ts (told after every group; may hold new groups back briefly).
 * @module
 */
import type SQLite from 'better-sqlite3';
import type { QueryResult } from 'kysely';

/** The savepoint of the unit running inside the group; units never nest, so one name serves. */
const UNIT = 'tessera_unit';

/** A group this large commits and the units still waiting go into the next one (latency bound). */
const MAX_GROUP = 256;

/**
 * A unit whose group did not commit. `code` is the SQLite error's (SQLITE_FULL, SQLITE_IOERR_…,
 * SQLITE_BUSY: persistence/unavailable.ts maps the busy ones to 503), `cause` the error itself.
 */
export class GroupCommitFailed extends Error {
  readonly code: string | undefined;
  constructor(cause: unknown) {
    super(`the group's commit failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'GroupCommitFailed';
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

interface Waiting {
  owner: object;
  grant: () => void;
  fail: (err: unknown) => void;
}

interface Member {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitHooks {
  /** Runs after a group ended (committed or not), while the connection is free: checkpoints. */
  afterGroup?: () => void;
}

export class GroupCommit {
  private readonly statements = new Map<string, SQLite.Statement>();
  /** A group's BEGIN IMMEDIATE ran and its COMMIT has not. */
  private open = false;
  /** The unit running inside the open group (a Kysely connection object). */
  private holder: object | undefined;
  /** A connection that ran its own BEGIN and has the database to itself until its transaction ends. */
  private manual: object | undefined;
  private readonly queue: Waiting[] = [];
  private members: Member[] = [];
  /** Statements waiting for the group to end. */
  private sleepers: (() => void)[] = [];
  private scheduled = false;
  /** The last error of a statement in a unit, for the failure of a group SQLite rolled back itself. */
  private lastError: unknown;
  /** The checkpoints hold new groups back for a moment (persistence/wal_checkpoints.ts). */
  private held = false;
  /** Figures for tests and the bench notes. */
  readonly stats = { groups: 0, units: 0, largest: 0, failedGroups: 0 };

  constructor(
    readonly sqlite: SQLite.Database,
    private readonly hooks: GroupCommitHooks = {},
  ) {}

  /**
   * better-sqlite3's statement for `text`, kept: Kysely prepares every query anew, and on the hot
   * paths preparing costs about as much as running it (docs/performance.md). Stores build their SQL
   * from a few fixed shapes; a bound clears the map should varying shapes (IN lists) fill it.
   */
  statement(text: string): SQLite.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.sqlite.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** True while nothing but `owner` may use the connection: no group open, no one else's BEGIN. */
  private freeFor(owner: object): boolean {
    return !this.open && (this.manual === undefined || this.manual === owner);
  }

  /** Runs one statement for `owner` (a Kysely connection object), in its unit if it holds one. */
  async execute(owner: object, text: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    const statement = this.statement(text);
    if (owner === this.holder) {
      try {
        return run(statement, parameters);
      } catch (err) {
        // Kept for the unit's rollback: SQLite may have rolled the whole group back (SQLITE_FULL).
        this.lastError = err;
        throw err;
      }
    }
    if (owner === this.manual) return this.runManual(owner, statement, parameters);
    if (statement.readonly || /^\s*pragma\b/i.test(text)) {
      while (!this.freeFor(owner)) await new Promise<void>((resolve) => this.sleepers.push(resolve));
      return this.runManual(owner, statement, parameters);
    }
    // A write on its own: a unit of one statement, answered after the group's commit.
    await this.begin(owner);
    let result: QueryResult<unknown>;
    try {
      result = run(statement, parameters);
    } catch (err) {
      this.lastError = err;
      this.rollback(owner);
      throw err;
    }
    await this.commit(owner);
    return result;
  }

  /** A statement outside any group; a raw BEGIN makes `owner` the connection's only user until it ends. */
  private runManual(owner: object, statement: SQLite.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
    try {
      return run(statement, parameters);
    } finally {
      if (this.sqlite.inTransaction) this.manual = owner;
      else if (this.manual === owner) this.endManual();
    }
  }

  private endManual(): void {
    this.manual = undefined;
    this.ended();
  }

  /** Waits for `owner`'s turn inside a group, then opens its savepoint. */
  begin(owner: object): Promise<void> {
    return new Promise<void>((grant, fail) => {
      this.queue.push({ owner, grant, fail });
      if (!this.open) this.schedule();
    });
  }

  /** Releases `owner`'s savepoint; resolves once its group committed, rejects if it did not. */
  commit(owner: object): Promise<void> {
    if (owner !== this.holder) return Promise.reject(new Error('commit outside the unit holding the group'));
    const done = new Promise<void>((resolve, reject) => this.members.push({ resolve, reject }));
    try {
      this.statement(`release ${UNIT}`).run();
    } catch (err) {
      this.members.pop();
      this.rollback(owner);
      return Promise.reject(err);
    }
    this.holder = undefined;
    this.stats.units++;
    this.next();
    return done;
  }

  /**
   * Undoes `owner`'s unit alone: back to its savepoint. Nothing to do when it holds nothing (Kysely
   * rolls back after a failed commit, whose group is already over).
   */
  rollback(owner: object): void {
    if (owner === this.manual) {
      if (this.sqlite.inTransaction) this.statement('rollback').run();
      this.endManual();
      return;
    }
    if (owner !== this.holder) return;
    this.holder = undefined;
    if (!this.sqlite.inTransaction) {
      // SQLite rolled the whole group back after the unit's error: the released units are lost too.
      this.abandon(this.lastError ?? new Error('SQLite rolled the transaction back after an error'));
      return;
    }
    try {
      this.statement(`rollback to ${UNIT}`).run();
      this.statement(`release ${UNIT}`).run();
    } catch (err) {
      this.abandon(err);
      return;
    }
    this.next();
  }

  /** Kysely is done with `owner`: a BEGIN it left open is rolled back, so the connection is not stuck. */
  done(owner: object): void {
    if (owner === this.manual) this.rollback(owner);
    else if (owner === this.holder) this.rollback(owner);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // The end of this turn: the writes of every request handled in it join the group.
    setImmediate(() => this.start());
  }

  private start(): void {
    this.scheduled = false;
    if (this.open || this.held || this.manual !== undefined || this.queue.length === 0) return;
    try {
      // The group takes SQLite's write lock when it begins (BEGIN IMMEDIATE). A deferred BEGIN reads
      // first and asks for the lock at its first write; if another process (the CLI, a second
      // server, its mail sender) committed in between, SQLite refuses at once with
      // SQLITE_BUSY_SNAPSHOT, which no busy_timeout waits out, and the request answered 500 (found by
      // test/reliability/sign_in_crash.test.ts). Taking the lock first waits for the other writer
      // (busy_timeout) instead. https://www.sqlite.org/lang_transaction.html ("Read transactions
      // versus write transactions")
      this.statement('begin immediate').run();
    } catch (err) {
      for (const waiting of this.queue.splice(0)) waiting.fail(err);
      this.wake();
      return;
    }
    this.open = true;
    this.stats.groups++;
    this.next();
  }

  /** The next waiting unit takes the group, or the group commits when none waits (or it is full). */
  private next(): void {
    const waiting = this.members.length < MAX_GROUP ? this.queue.shift() : undefined;
    if (!waiting) {
      this.commitGroup();
      return;
    }
    try {
      this.statement(`savepoint ${UNIT}`).run();
    } catch (err) {
      waiting.fail(err);
      this.next();
      return;
    }
    this.holder = waiting.owner;
    waiting.grant();
  }

  private commitGroup(): void {
    const members = this.members;
    this.members = [];
    this.stats.largest = Math.max(this.stats.largest, members.length);
    try {
      this.statement('commit').run();
    } catch (err) {
      // A COMMIT that fails may leave the transaction open (a deferred foreign key): end it.
      this.rollbackAll();
      this.open = false;
      this.stats.failedGroups++;
      const failure = new GroupCommitFailed(err);
      for (const member of members) member.reject(failure);
      this.ended();
      return;
    }
    this.open = false;
    for (const member of members) member.resolve();
    this.ended();
  }

  /** The group cannot commit: every unit of it fails; the next group starts afresh. */
  private abandon(err: unknown): void {
    this.rollbackAll();
    this.open = false;
    this.stats.failedGroups++;
    const failure = new GroupCommitFailed(err);
    for (const member of this.members.splice(0)) member.reject(failure);
    this.ended();
  }

  private rollbackAll(): void {
    if (!this.sqlite.inTransaction) return;
    try {
      this.statement('rollback').run();
    } catch {
      // Nothing left to undo.
    }
  }

  private ended(): void {
    this.holder = undefined;
    this.hooks.afterGroup?.();
    this.wake();
    // Units that came while the group was full: the next turn, after the reads that waited.
    if (this.queue.length > 0) this.schedule();
  }

  private wake(): void {
    const sleepers = this.sleepers;
    this.sleepers = [];
    for (const resolve of sleepers) resolve();
  }

  /** No group is open and no one's own BEGIN: nothing of this process is writing. */
  idle(): boolean {
    return !this.open && this.manual === undefined;
  }

  /** No new group starts until release(); units wait in the queue meanwhile. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (this.queue.length > 0) this.schedule();
  }

  /** Waits for the units queued so far to commit, then closes the file. */
  async close(): Promise<void> {
    while (this.open || this.scheduled || this.queue.length > 0 || this.manual !== undefined) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.sqlite.close();
  }
}

function run(statement: SQLite.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
