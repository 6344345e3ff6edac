/**
 * The embedded default store: one SQLite file (`conversations.db` under DATA_DIR) through
 * better-sqlite3 — WAL, a busy timeout, prepared statements. Locks are in-process: one process
 * owns the file (several instances use the Redis store instead). This file opens the database and
 * composes the ports; each other job has its own module under sqlite/:
 *
 * - migrations.ts — opening the file (its pragmas), the numbered schema migrations;
 * - checkpoint.ts — WAL checkpoints on a worker thread once the store is busy;
 * - group-commit.ts — the writes of one event-loop iteration committed together: each resolves
 *   only after that commit, so a reply is never sent before its turn is in the WAL; reads of a
 *   key with a queued write, every other write and `close` flush the queue first;
 * - recent.ts — the envelopes written last, handed back without a query (`trusted`);
 * - rows.ts — how a turn's transcript and outbox rows are laid out; outbox.ts — delivery
 *   (claim, settle, the sweep's due list);
 * - records.ts — the observatory records; coordination.ts — locks, de-duplication, memos.
 *
 * Conversations, their transcript rows and the outbox writes stay here: a turn writes all three in
 * one transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Envelope, envelopeText, MAX_TRANSCRIPT_ENTRIES } from './envelope.js';
import { createLockManager } from './locks.js';
import { createCheckpointer } from './sqlite/checkpoint.js';
import { createSqliteCoordination } from './sqlite/coordination.js';
import { createGroupCommit } from './sqlite/group-commit.js';
import { openDatabase } from './sqlite/migrations.js';
import { createSqliteOutbox } from './sqlite/outbox.js';
import { createRecentEnvelopes } from './sqlite/recent.js';
import { createSqliteRecords } from './sqlite/records.js';
import { outboxRow, transcriptRow } from './sqlite/rows.js';
import {
  type ConversationStore,
  type Store,
  StoreClosedError,
  type TranscriptStore,
  toMillis,
} from './types.js';

export { migrate, SQLITE_MIGRATIONS } from './sqlite/migrations.js';

/** File name of the database inside the data directory. */
export const SQLITE_FILE_NAME = 'conversations.db';

/** Options of {@link createSqliteStore}: a data directory, or an explicit file. */
export type SqliteStoreOptions = (
  | { readonly dir: string; readonly file?: undefined }
  | { readonly file: string; readonly dir?: undefined }
) & {
  /** Clock for expiry, epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** SQLite busy timeout in ms (another connection writing). Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Writes after which WAL checkpoints move to a worker thread (they fsync, which stalls the
   * event loop for milliseconds); `false` keeps them inline. Default 200: a store that only sees
   * a few writes (tests, the terminal) never starts the worker.
   */
  readonly checkpointWorkerAfter?: number | false;
  /**
   * Called after each group commit with how many queued writes it carried (`conversations.put`
   * and `remember` calls; 1 for a write retried alone after its batch failed). For tests and
   * metrics: it shows that concurrent turns shared a commit. An exception it throws is ignored.
   */
  readonly onCommit?: (writes: number) => void;
  /**
   * How many of the envelopes this process wrote last are kept in memory, so that the next turn
   * of a conversation reads it without a query or a JSON parse (0 = none). Bounded, so memory
   * does not grow with the number of stored conversations. Default 2000.
   */
  readonly recentConversations?: number;
};

/** Opens (creating if needed) the SQLite store. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const file = options.file ?? join(options.dir ?? '.', SQLITE_FILE_NAME);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const now = options.now ?? Date.now;
  const db = openDatabase(file, options.busyTimeoutMs ?? 5000);

  let closed = false;
  const checkpoints = createCheckpointer({
    db,
    file,
    after: options.checkpointWorkerAfter ?? 200,
    closed: () => closed,
  });
  const wrote = checkpoints.wrote;

  const q = {
    get: db.prepare<[string, number], { revision: number; data: string }>(
      'SELECT revision, data FROM conversations WHERE key = ? AND expires_at > ?',
    ),
    insert: db.prepare(
      `INSERT INTO conversations (key, channel, user_ref, revision, data, updated_at, expires_at)
       VALUES (@key, @channel, @userRef, @revision, @data, @updatedAt, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET
         channel = excluded.channel, user_ref = excluded.user_ref, revision = excluded.revision,
         data = excluded.data, updated_at = excluded.updated_at, expires_at = excluded.expires_at
       WHERE conversations.expires_at <= @now`,
    ),
    update: db.prepare(
      `UPDATE conversations SET channel = @channel, user_ref = @userRef, revision = @revision,
         data = @data, updated_at = @updatedAt, expires_at = @expiresAt
       WHERE key = @key AND revision = @expected AND expires_at > @now`,
    ),
    // The same when the owner is known unchanged: the by-user index is left alone.
    updateSameOwner: db.prepare(
      `UPDATE conversations SET revision = @revision, data = @data, updated_at = @updatedAt,
         expires_at = @expiresAt
       WHERE key = @key AND revision = @expected AND expires_at > @now`,
    ),
    delete: db.prepare('DELETE FROM conversations WHERE key = ?'),
    deleteByUser: db.prepare('DELETE FROM conversations WHERE channel = ? AND user_ref = ?'),
    lastSeq: db
      .prepare<[string], number>(
        'SELECT seq FROM transcript_entries WHERE key = ? ORDER BY seq DESC LIMIT 1',
      )
      .pluck(),
    addEntry: db.prepare<[string, number, string]>(
      'INSERT INTO transcript_entries (key, seq, data) VALUES (?, ?, ?)',
    ),
    trimEntries: db.prepare<[string, number]>(
      'DELETE FROM transcript_entries WHERE key = ? AND seq <= ?',
    ),
    clearEntries: db.prepare<[string]>('DELETE FROM transcript_entries WHERE key = ?'),
    readEntries: db
      .prepare<[string, string, number], string>(
        `SELECT data FROM transcript_entries WHERE key = ? AND EXISTS (
           SELECT 1 FROM conversations WHERE key = ? AND expires_at > ?
         ) ORDER BY seq`,
      )
      .pluck(),
    forgetEntries: db.prepare<[string, string]>(
      `DELETE FROM transcript_entries WHERE key IN (
         SELECT key FROM conversations WHERE channel = ? AND user_ref = ?
       )`,
    ),
    purgeEntries: db.prepare<[number]>(
      `DELETE FROM transcript_entries WHERE key IN (
         SELECT key FROM conversations WHERE expires_at <= ?
       )`,
    ),
    forgetRemembered: db.prepare('DELETE FROM remembered WHERE channel = ? AND user_ref = ?'),
    purgeConversations: db.prepare('DELETE FROM conversations WHERE expires_at <= ?'),
    purgeSeen: db.prepare('DELETE FROM seen WHERE expires_at <= ?'),
    purgeRemembered: db.prepare('DELETE FROM remembered WHERE expires_at <= ?'),
    ping: db.prepare('SELECT 1 AS ok'),
    addOutbox: db.prepare(
      `INSERT OR REPLACE INTO outbox (id, key, channel, user_ref, replies, target, sent, attempts,
         created_at, lease_until, retry_at, done, expires_at)
       VALUES (@id, @key, @channel, @userRef, @replies, @target, 0, 1, @now, @lease, 0, 0,
         @expiresAt)`,
    ),
    deleteOutboxOfKey: db.prepare<[string]>('DELETE FROM outbox WHERE key = ?'),
    forgetOutbox: db.prepare<[string, string]>(
      'DELETE FROM outbox WHERE channel = ? AND user_ref = ?',
    ),
    purgeOutbox: db.prepare<[number]>('DELETE FROM outbox WHERE expires_at <= ?'),
  };

  /**
   * Appends one row of transcript entries at the next sequence number (after `lastSeq` when the
   * caller knows it); rows beyond the bound go, oldest first. Returns the last sequence number.
   */
  function appendRows(
    key: string,
    row: string | undefined,
    replace: boolean,
    lastSeq?: number,
  ): number {
    let seq = 0;
    if (replace) q.clearEntries.run(key);
    else seq = lastSeq ?? q.lastSeq.get(key) ?? 0;
    if (row === undefined) return seq;
    q.addEntry.run(key, ++seq, row);
    if (seq > MAX_TRANSCRIPT_ENTRIES) q.trimEntries.run(key, seq - MAX_TRANSCRIPT_ENTRIES);
    return seq;
  }
  type PutParams = Record<string, unknown> & { key: string };
  /** What the store knows of a key it wrote last (see `recent`): owner unchanged, last seq. */
  interface Known {
    readonly sameOwner: boolean;
    readonly seq?: number;
  }
  /** A put's result inside the store: accepted or not, and the transcript's last seq if known. */
  interface PutOutcome {
    readonly accepted: boolean;
    readonly seq?: number;
  }
  /**
   * One put's statements (the batch opens the transaction): the envelope by compare-and-set,
   * then its transcript rows. A new conversation (or one over an expired record) starts with no
   * transcript.
   */
  function applyPut(
    params: PutParams,
    expected: number,
    entries: string | undefined | null,
    replace: boolean,
    known: Known | undefined,
    outbox: Record<string, unknown> | undefined,
  ): PutOutcome {
    const created = expected === 0;
    const changed = created
      ? q.insert.run(params).changes
      : (known?.sameOwner ? q.updateSameOwner : q.update).run({ ...params, expected }).changes;
    if (changed !== 1) return { accepted: false };
    if (outbox) q.addOutbox.run(outbox);
    if (entries !== null) {
      const clear = replace || created;
      return { accepted: true, seq: appendRows(params.key, entries, clear, known?.seq) };
    }
    if (created) {
      q.clearEntries.run(params.key);
      return { accepted: true, seq: 0 };
    }
    return { accepted: true, ...(known?.seq !== undefined ? { seq: known.seq } : {}) };
  }
  const appendEntries = db.transaction((key: string, row: string | undefined, replace: boolean) =>
    appendRows(key, row, replace),
  );
  const deleteOne = db.transaction((key: string) => {
    q.clearEntries.run(key);
    q.deleteOutboxOfKey.run(key);
    return q.delete.run(key).changes > 0;
  });
  const deleteUser = db.transaction((channel: string, userRef: string) => {
    q.forgetEntries.run(channel, userRef);
    const removed = q.deleteByUser.run(channel, userRef).changes;
    q.forgetRemembered.run(channel, userRef);
    q.forgetOutbox.run(channel, userRef);
    return removed;
  });
  const purge = db.transaction((at: number) => {
    q.purgeEntries.run(at);
    const removed = q.purgeConversations.run(at).changes;
    q.purgeSeen.run(at);
    q.purgeRemembered.run(at);
    q.purgeOutbox.run(at);
    return removed;
  });
  const locks = createLockManager();
  function open(): void {
    if (closed) throw new StoreClosedError();
  }

  /** Every other write: the queued puts go first, so that writes keep the order they came in. */
  function writing(): void {
    open();
    flush();
  }

  const commits = createGroupCommit({
    db,
    wrote,
    ...(options.onCommit ? { onCommit: options.onCommit } : {}),
  });
  const { enqueue, flush, flushFor } = commits;
  const recent = createRecentEnvelopes(options.recentConversations ?? 2000);

  const conversations: ConversationStore = {
    async get(key) {
      open();
      flushFor(`c:${key}`);
      const at = now();
      const kept = recent.get(key);
      if (kept) {
        if (kept.envelope.expiresAt > at) {
          return { key, revision: kept.envelope.revision, data: kept.envelope, trusted: true };
        }
        recent.delete(key);
      }
      const row = q.get.get(key, at);
      if (!row) return undefined;
      return { key, revision: row.revision, data: envelopeText.decode(row.data) };
    },
    async put(envelope: Envelope, expectedRevision, transcript, outbox) {
      open();
      if (envelope.revision <= expectedRevision) {
        throw new RangeError('envelope.revision must be greater than expectedRevision');
      }
      // Serialised now, as before: the caller may change its objects once `put` has returned.
      const params = {
        key: envelope.key,
        channel: envelope.channel,
        userRef: envelope.userRef,
        revision: envelope.revision,
        data: envelopeText.encode(envelope),
        updatedAt: envelope.updatedAt,
        expiresAt: envelope.expiresAt,
        now: now(),
      };
      // null: no transcript write at all; undefined: a write with no entries (may still clear).
      const entries = transcript ? transcriptRow(transcript.entries) : null;
      const replace = transcript?.replace === true;
      // The envelope this store wrote last for the key, if it still holds the expected revision.
      const kept = recent.get(envelope.key);
      const known: Known | undefined =
        kept && kept.envelope.revision === expectedRevision
          ? {
              sameOwner:
                kept.envelope.channel === envelope.channel &&
                kept.envelope.userRef === envelope.userRef,
              ...(kept.seq !== undefined ? { seq: kept.seq } : {}),
            }
          : undefined;
      const outboxParams = outbox ? outboxRow(envelope, outbox, params.now) : undefined;
      if (outbox) commits.hold(`o:${outbox.id}`);
      const outcome = await enqueue(
        `c:${params.key}`,
        () => applyPut(params, expectedRevision, entries, replace, known, outboxParams),
        (result) => {
          if (result.accepted) recent.keep(envelope, result.seq);
          else recent.delete(envelope.key);
        },
      );
      return outcome.accepted;
    },
    async delete(key) {
      writing();
      recent.delete(key);
      return deleteOne(key);
    },
    async deleteByUser(channel, userRef) {
      writing();
      recent.clear();
      return deleteUser(channel, userRef);
    },
    async purgeExpired(at) {
      writing();
      recent.clear();
      return purge(toMillis(at));
    },
  };

  // The transcript expires with its conversation: `read` only sees the entries of a live one,
  // and `purgeExpired` removes them with it.
  const transcripts: TranscriptStore = {
    async append(key, entries, { replace }) {
      writing();
      recent.forgetSeq(key);
      appendEntries(key, transcriptRow(entries), replace === true);
    },
    async read(key) {
      open();
      flushFor(`c:${key}`);
      const out: unknown[] = [];
      for (const data of q.readEntries.all(key, key, now())) {
        let row: unknown;
        try {
          row = JSON.parse(data);
        } catch {
          continue; // a damaged row is left out; the caller validates the rest
        }
        if (Array.isArray(row)) out.push(...(row as unknown[]));
        else out.push(row);
      }
      return out.length > MAX_TRANSCRIPT_ENTRIES ? out.slice(-MAX_TRANSCRIPT_ENTRIES) : out;
    },
  };

  const gate = { open, writing };
  const records = createSqliteRecords(db, gate);
  const coordination = createSqliteCoordination(db, { ...gate, commits, locks, now });

  return {
    kind: 'sqlite',
    conversations,
    transcripts,
    records,
    outbox: createSqliteOutbox(db, { ...gate, commits, now }),
    coordination,
    async ready() {
      if (closed) return false;
      try {
        return (q.ping.get() as { ok: number } | undefined)?.ok === 1;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      // The queued puts are committed (and their callers answered) before the file closes.
      flush();
      closed = true;
      recent.clear();
      locks.close();
      await checkpoints.close();
      db.close();
    },
  };
}
