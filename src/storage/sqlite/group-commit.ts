/**
 * Group commit: a COMMIT (writing the WAL) is the largest cost of a turn after the dialogue, so
 * the writes that arrive in the same event-loop iteration are queued and committed together in
 * one transaction on the next `setImmediate`; each write still resolves only after that commit,
 * so a reply is never sent before its turn is in the WAL. The queue lives at most one iteration
 * (or until an earlier flush): enough for the turns that finished their dialogue step in the same
 * iteration to share one COMMIT. A reader of a key with a queued write flushes first
 * ({@link GroupCommit.flushFor}), so callers see their own writes.
 */
import type Database from 'better-sqlite3';

/**
 * A write waiting for the next group commit, already validated and serialised: `apply` runs
 * its statements inside the batch's transaction and returns what the caller's promise gets.
 */
export interface QueuedWrite {
  readonly apply: () => unknown;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Called with `apply`'s result once its transaction committed, before `resolve`. */
  readonly committed?: (result: unknown) => void;
}

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions {
  readonly db: Database.Database;
  /** Called after each commit with how many queued writes it carried (errors ignored). */
  readonly onCommit?: (writes: number) => void;
  /** Called once per committed (or failed) write: the checkpointer counts them. */
  readonly wrote: () => void;
}

/** The store's side of the group commit. */
export interface GroupCommit {
  /**
   * Queues a write for the next group commit (the first one of an iteration schedules it);
   * `readKey` names what it writes, for {@link GroupCommit.flushFor}.
   */
  enqueue<T>(readKey: string, apply: () => T, onCommitted?: (result: T) => void): Promise<T>;
  /** Marks one more key as written by the next queued write (e.g. a turn's outbox id). */
  hold(readKey: string): void;
  /** Commits every queued write now, in arrival order. Synchronous; never throws. */
  flush(): void;
  /** Flushes when `readKey` has a queued write: a reader sees its own writes. */
  flushFor(readKey: string): void;
}

/** Creates the group commit of one store's connection. */
export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  const { db, wrote } = options;
  /** Several turns' writes, one commit; a throw rolls them all back. */
  const applyBatch = db.transaction((batch: readonly QueuedWrite[]) => batch.map((w) => w.apply()));
  /** One write alone, when its batch failed: its own commit, its own error. */
  const applyOne = db.transaction((write: QueuedWrite) => write.apply());
  let queue: QueuedWrite[] = [];
  /**
   * Conversation keys and remembered ids with a queued write (prefixed, so they cannot clash),
   * so that a read of one of them knows it must flush first.
   */
  const queuedKeys = new Set<string>();
  let scheduled: NodeJS.Immediate | undefined;
  function committed(writes: number): void {
    try {
      options.onCommit?.(writes);
    } catch {
      // a test or metrics hook never breaks a write
    }
  }
  /**
   * Commits every queued write, in arrival order, and settles their promises. Synchronous: callers
   * flush right before their own statement so that nothing slips in between. Never throws: a
   * failure is reported to the put(s) it belongs to.
   */
  function flush(): void {
    if (scheduled) {
      clearImmediate(scheduled);
      scheduled = undefined;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queuedKeys.clear();
    let results: unknown[];
    try {
      results = applyBatch(batch);
    } catch (error) {
      // Rolled back whole. Alone, a write fails as it did before group commit (no second try);
      // in a batch, each write is retried in its own transaction, so that one bad write (a
      // constraint, a trigger, a full disk for one large transcript) fails only its own turn.
      if (batch.length === 1) {
        wrote();
        batch[0]?.reject(error);
      } else retryAlone(batch);
      return;
    }
    committed(batch.length);
    batch.forEach((write, i) => {
      wrote();
      write.committed?.(results[i]);
      write.resolve(results[i]);
    });
  }
  /** Commits each write of a failed batch in its own transaction and settles it on its own. */
  function retryAlone(batch: readonly QueuedWrite[]): void {
    for (const write of batch) {
      wrote();
      let result: unknown;
      try {
        result = applyOne(write);
      } catch (error) {
        write.reject(error);
        continue;
      }
      committed(1);
      write.committed?.(result);
      write.resolve(result);
    }
  }
  /** Queues a write for the next group commit; the first one of an iteration schedules it. */
  function enqueue<T>(
    readKey: string,
    apply: () => T,
    onCommitted?: (result: T) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({
        apply,
        resolve: resolve as (result: unknown) => void,
        reject,
        ...(onCommitted ? { committed: onCommitted as (result: unknown) => void } : {}),
      });
      queuedKeys.add(readKey);
      scheduled ??= setImmediate(flush);
    });
  }
  /** Flushes when `readKey` has a queued write: a reader sees its own writes. */
  function flushFor(readKey: string): void {
    if (queuedKeys.has(readKey)) flush();
  }
  return {
    enqueue,
    hold: (readKey) => {
      queuedKeys.add(readKey);
    },
    flush,
    flushFor,
  };
}
