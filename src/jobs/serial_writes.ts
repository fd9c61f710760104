/**
 * Batches written one after another. The batched writers (usage_recorder.ts, error_counter.ts)
 * flush on a timer and on demand; without this a flush asked for while the timer's was still
 * writing returned at once, so "flushed" did not mean "written" (the shutdown could close the
 * database under the timer's write), and two batches on two pool connections could land out of
 * order (an older "last used" over a newer one). Found by test/persistence/batch_flush.test.ts.
 * @module
 */
export class SerialWrites {
  /** The last write queued; never rejects, so one failed write does not block the next. */
  private tail: Promise<void> = Promise.resolve();

  /** Runs `write` after every write queued before it; resolves (or rejects) with it. */
  run(write: () => Promise<void>): Promise<void> {
    const result = this.tail.then(write);
    this.tail = result.catch(() => {});
    return result;
  }
}
