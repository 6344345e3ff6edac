/**
 * The embedded default store: one SQLite file (`conversations.db` under DATA_DIR) through
 * better-sqlite3 — WAL, a busy timeout, prepared statements, and numbered schema migrations
 * recorded in a version table. Locks are in-process: one process owns the file (several
 * instances use the Redis store instead).
 *
 * Group commit: a COMMIT (writing the WAL) is the largest cost of a turn after the dialogue, so
 * the turns' writes (`conversations.put` and the idempotency `remember`) that arrive in the same
 * event-loop iteration are queued and committed together in one transaction on the next
 * `setImmediate`; each write still resolves only after that commit, so a reply is never sent
 * before its turn is in the WAL. Reads of a key or id with a queued write, every other write and
 * `close` flush the queue first, so that callers see their own writes and writes keep their order.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { withRepliesJson } from '../reply/shared.js';
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  MAX_TRANSCRIPT_ENTRIES,
  type TranscriptEntry,
} from './envelope.js';
import { createLockManager } from './locks.js';
import { type ObservatoryRecord, parseRecord, type RecordStore, townKey } from './records.js';
import {
  type ConversationStore,
  type OutboxClaim,
  type OutboxStore,
  type OutboxWrite,
  type Store,
  StoreClosedError,
  type TranscriptStore,
  toMillis,
} from './types.js';

/** File name of the database inside the data directory. */
export const SQLITE_FILE_NAME = 'conversations.db';

/**
 * Numbered migrations: index + 1 is the schema version they lead to. Append only; never edit
 * one that has shipped.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE conversations (
     key TEXT PRIMARY KEY,
     channel TEXT NOT NULL,
     user_ref TEXT NOT NULL,
     revision INTEGER NOT NULL,
     data TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX conversations_by_user ON conversations (channel, user_ref);
   CREATE INDEX conversations_by_expiry ON conversations (expires_at);
   CREATE TABLE seen (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX seen_by_expiry ON seen (expires_at);
   CREATE TABLE remembered (
     id TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     channel TEXT,
     user_ref TEXT,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX remembered_by_user ON remembered (channel, user_ref);
   CREATE INDEX remembered_by_expiry ON remembered (expires_at);`,
  // 2 — the merchants' observatory (issue 9): one anonymous record per identity hash and town.
  `CREATE TABLE observatory_records (
     identity TEXT NOT NULL,
     town_key TEXT NOT NULL,
     month TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (identity, town_key)
   );
   CREATE INDEX observatory_records_by_town ON observatory_records (town_key);
   CREATE INDEX observatory_records_by_month ON observatory_records (month);`,
  // 3 — transcripts move out of the envelope into their own rows (the widget restores them; a
  // turn only appends): what older envelopes carried is moved over, then removed from them.
  `CREATE TABLE IF NOT EXISTS transcript_entries (
     key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (key, seq)
   );
   INSERT OR IGNORE INTO transcript_entries (key, seq, data)
     SELECT c.key, e.key + 1, e.value
     FROM conversations AS c, json_each(c.data, '$.transcript') AS e
     WHERE json_valid(c.data) AND json_type(c.data, '$.transcript') = 'array'
       AND e.type = 'object';
   UPDATE conversations SET data = json_remove(data, '$.transcript')
     WHERE json_valid(data) AND json_type(data, '$.transcript') IS NOT NULL;`,
  // 4 — the outbox (issue 20): a turn's replies, written with the turn, until delivered; then
  // kept without them, as the de-duplication record of the platform's delivery id.
  `CREATE TABLE IF NOT EXISTS outbox (
     id TEXT PRIMARY KEY,
     key TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_ref TEXT NOT NULL,
     replies TEXT,
     target TEXT,
     sent INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 1,
     created_at INTEGER NOT NULL,
     lease_until INTEGER NOT NULL,
     retry_at INTEGER NOT NULL DEFAULT 0,
     done INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS outbox_due ON outbox (channel, done, lease_until);
   CREATE INDEX IF NOT EXISTS outbox_by_user ON outbox (channel, user_ref);
   CREATE INDEX IF NOT EXISTS outbox_by_key ON outbox (key);
   CREATE INDEX IF NOT EXISTS outbox_by_expiry ON outbox (expires_at);`,
];

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

/** Page size of a new database file (bytes). */
const PAGE_SIZE = 8192;

/** Pages SQLite checkpoints inline by itself (its default), while no worker does it. */
const INLINE_CHECKPOINT_PAGES = 1000;
/**
 * With the worker: the WAL only restarts after a checkpoint that caught up with the writer, which
 * the worker's PASSIVE checkpoints never do while writes keep coming. Past this many pages
 * (16 MB) the writer checkpoints inline once — cheap, most frames are copied already — so the WAL
 * stays bounded under sustained writes.
 */
const BACKSTOP_CHECKPOINT_PAGES = 4000;

/**
 * The checkpointer: its own connection to the file, a PASSIVE checkpoint (never blocks the
 * writer) every 100 ms. CommonJS, run with `eval`; the driver's path comes in `workerData`.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, 100);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/**
 * One transcript row: a turn's entries (the user's message and the bot's replies) share a row, as
 * a JSON array; a single entry is stored alone, as rows written before this were. Undefined when
 * there is nothing to write.
 */
function transcriptRow(entries: readonly TranscriptEntry[]): string | undefined {
  if (entries.length === 0) return undefined;
  // The bot's replies are often the dialogue's shared ones: their JSON is written once.
  if (entries.length === 1) return withRepliesJson(entries[0] as TranscriptEntry);
  return `[${entries.map(withRepliesJson).join(',')}]`;
}

/** One outbox row as read back. */
interface OutboxRow {
  readonly id: string;
  readonly key: string;
  readonly channel: string;
  readonly user_ref: string;
  readonly replies: string | null;
  readonly target: string | null;
  readonly sent: number;
  readonly attempts: number;
  readonly created_at: number;
  readonly lease_until: number;
  readonly done: number;
}

/** The statement parameters of a turn's outbox entry. */
function outboxRow(envelope: Envelope, outbox: OutboxWrite, at: number): Record<string, unknown> {
  return {
    id: outbox.id,
    key: envelope.key,
    channel: envelope.channel,
    userRef: envelope.userRef,
    replies: JSON.stringify(outbox.replies),
    target: outbox.target === undefined ? null : JSON.stringify(outbox.target),
    now: at,
    lease: at + outbox.leaseMs,
    expiresAt: at + outbox.ttlMs,
  };
}

/** JSON text decoded, or `fallback` when it is not JSON. */
function parseOr(text: string | null, fallback: unknown): unknown {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** Applies the pending migrations in one transaction; refuses a database from a newer release. */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as
    | { version: number }
    | undefined;
  const current = row?.version ?? 0;
  if (current > SQLITE_MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this release (${SQLITE_MIGRATIONS.length})`,
    );
  }
  if (current === SQLITE_MIGRATIONS.length) return current;
  db.transaction(() => {
    for (let v = current; v < SQLITE_MIGRATIONS.length; v++) db.exec(SQLITE_MIGRATIONS[v] ?? '');
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_MIGRATIONS.length);
  })();
  return SQLITE_MIGRATIONS.length;
}

/** Opens (creating if needed) the SQLite store. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const file = options.file ?? join(options.dir ?? '.', SQLITE_FILE_NAME);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const now = options.now ?? Date.now;
  const db = new Database(file);
  // Transcript rows are 0.1–4 KB: 4 KB pages would hold one 2 KB reply each, half empty. Only
  // takes effect on a new file (an existing one keeps its page size).
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('synchronous = NORMAL');
  // « Oublier mes données » erases at once (SPEC §7): deleted rows are overwritten, not left in
  // free pages of the file.
  db.pragma('secure_delete = ON');
  // The WAL file is cut back to 32 MB when it restarts above that (rare: see the backstop below).
  db.pragma('journal_size_limit = 33554432');
  migrate(db);

  // --- Checkpoints off the event loop. With synchronous = NORMAL a commit does not fsync, but a
  // checkpoint does (twice): inline, one turn in a few hundred would wait 5–150 ms for the disk.
  // Once the store is busy, a worker thread checkpoints instead; if it fails, SQLite's own inline
  // checkpoints come back.
  const workerAfter = options.checkpointWorkerAfter ?? 200;
  let writes = 0;
  let started = false;
  let checkpointer: Worker | undefined;
  let checkpointerExited: Promise<void> | undefined;
  function startCheckpointer(): void {
    try {
      const worker = new Worker(CHECKPOINTER, {
        eval: true,
        workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
      worker.unref();
      checkpointerExited = new Promise<void>((resolve) => {
        worker.once('exit', () => {
          if (checkpointer === worker) checkpointer = undefined;
          if (!closed) db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
          resolve();
        });
      });
      worker.on('error', () => undefined);
      checkpointer = worker;
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    } catch {
      checkpointer = undefined;
    }
  }
  /** Counts a committed write; starts the checkpointer once the store is busy. */
  function wrote(): void {
    if (started || workerAfter === false || file === ':memory:') return;
    if (++writes < workerAfter) return;
    started = true;
    startCheckpointer();
  }

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
    markSeen: db.prepare(
      `INSERT INTO seen (id, expires_at) VALUES (@id, @until)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
       WHERE seen.expires_at <= @now`,
    ),
    remember: db.prepare(
      `INSERT OR REPLACE INTO remembered (id, value, channel, user_ref, expires_at)
       VALUES (@id, @value, @channel, @userRef, @until)`,
    ),
    recall: db.prepare<[string, number], { value: string }>(
      'SELECT value FROM remembered WHERE id = ? AND expires_at > ?',
    ),
    ping: db.prepare('SELECT 1 AS ok'),
    addOutbox: db.prepare(
      `INSERT OR REPLACE INTO outbox (id, key, channel, user_ref, replies, target, sent, attempts,
         created_at, lease_until, retry_at, done, expires_at)
       VALUES (@id, @key, @channel, @userRef, @replies, @target, 0, 1, @now, @lease, 0, 0,
         @expiresAt)`,
    ),
    getOutbox: db.prepare<[string, number], OutboxRow>(
      `SELECT id, key, channel, user_ref, replies, target, sent, attempts, created_at,
         lease_until, done FROM outbox WHERE id = ? AND expires_at > ?`,
    ),
    leaseOutbox: db.prepare<[number, string]>(
      'UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?',
    ),
    settleDone: db.prepare<[number, string]>(
      `UPDATE outbox SET sent = max(sent, ?), done = 1, replies = NULL, lease_until = 0
       WHERE id = ?`,
    ),
    settleProgress: db.prepare<[number, string]>(
      'UPDATE outbox SET sent = max(sent, ?) WHERE id = ?',
    ),
    settleRetry: db.prepare<[number, number, string]>(
      'UPDATE outbox SET sent = max(sent, ?), lease_until = 0, retry_at = ? WHERE id = ?',
    ),
    dueOutbox: db
      .prepare<[string, number, number, number, number], string>(
        `SELECT id FROM outbox WHERE channel = ? AND done = 0 AND lease_until <= ?
           AND retry_at <= ? AND expires_at > ? ORDER BY max(lease_until, retry_at) LIMIT ?`,
      )
      .pluck(),
    deleteOutboxOfKey: db.prepare<[string]>('DELETE FROM outbox WHERE key = ?'),
    forgetOutbox: db.prepare<[string, string]>(
      'DELETE FROM outbox WHERE channel = ? AND user_ref = ?',
    ),
    purgeOutbox: db.prepare<[number]>('DELETE FROM outbox WHERE expires_at <= ?'),
    putRecord: db.prepare(
      `INSERT OR REPLACE INTO observatory_records (identity, town_key, month, data)
       VALUES (@identity, @townKey, @month, @data)`,
    ),
    deleteRecords: db.prepare('DELETE FROM observatory_records WHERE identity = ?'),
    recordsByTown: db.prepare<[string], { data: string }>(
      'SELECT data FROM observatory_records WHERE town_key = ?',
    ),
    purgeRecords: db.prepare('DELETE FROM observatory_records WHERE month < ?'),
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
   * A write waiting for the next group commit, already validated and serialised: `apply` runs
   * its statements inside the batch's transaction and returns what the caller's promise gets.
   */
  interface QueuedWrite {
    readonly apply: () => unknown;
    readonly resolve: (result: unknown) => void;
    readonly reject: (error: unknown) => void;
    /** Called with `apply`'s result once its transaction committed, before `resolve`. */
    readonly committed?: (result: unknown) => void;
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
  /** Several turns' writes, one commit; a throw rolls them all back. */
  const applyBatch = db.transaction((batch: readonly QueuedWrite[]) => batch.map((w) => w.apply()));
  /** One write alone, when its batch failed: its own commit, its own error. */
  const applyOne = db.transaction((write: QueuedWrite) => write.apply());
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
  /** Claims an outbox entry (see OutboxStore.claim) in one transaction. */
  const claimOutbox = db.transaction((id: string, leaseMs: number): OutboxClaim => {
    const t = now();
    const row = q.getOutbox.get(id, t);
    if (!row) return { state: 'absent' };
    if (row.done === 1) return { state: 'done' };
    if (row.lease_until > t) return { state: 'busy' };
    q.leaseOutbox.run(t + leaseMs, id);
    return {
      state: 'claimed',
      entry: {
        id,
        key: row.key,
        channel: row.channel as Envelope['channel'],
        userRef: row.user_ref,
        replies: parseOr(row.replies, []),
        ...(row.target !== null ? { target: parseOr(row.target, undefined) } : {}),
        sent: row.sent,
        attempts: row.attempts + 1,
        createdAt: row.created_at,
      },
    };
  });

  const locks = createLockManager();
  let closed = false;
  function open(): void {
    if (closed) throw new StoreClosedError();
  }

  // --- Group commit of `conversations.put`. The queue only lives until the next `setImmediate`
  // (or an earlier flush), i.e. at most one event-loop iteration: enough for the turns that
  // finished their dialogue step in the same iteration to share one COMMIT.
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
  /** Every other write: the queued puts go first, so that writes keep the order they came in. */
  function writing(): void {
    open();
    flush();
  }

  // --- The envelopes written last, kept as `put` was given them (a frozen shallow copy; the
  // snapshot inside is shared, and no caller changes it): one process owns the file, so what it
  // wrote is what the file holds. Oldest written first out; a delete drops its key, an erase or
  // a purge (rare) drops everything.
  const recentMax = Math.max(0, Math.trunc(options.recentConversations ?? 2000));
  /** Per key: the envelope, and the last transcript seq when this store wrote it (else unknown). */
  const recent = new Map<string, { readonly envelope: Envelope; readonly seq?: number }>();
  function keepRecent(envelope: Envelope, seq: number | undefined): void {
    if (recentMax === 0) return;
    recent.delete(envelope.key);
    recent.set(envelope.key, {
      envelope: Object.freeze({ ...envelope }),
      ...(seq !== undefined ? { seq } : {}),
    });
    if (recent.size > recentMax) {
      const oldest = recent.keys().next();
      if (!oldest.done) recent.delete(oldest.value);
    }
  }

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
      return { key, revision: row.revision, data: decodeEnvelope(row.data) };
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
        data: encodeEnvelope(envelope),
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
      if (outbox) queuedKeys.add(`o:${outbox.id}`);
      const outcome = await enqueue(
        `c:${params.key}`,
        () => applyPut(params, expectedRevision, entries, replace, known, outboxParams),
        (result) => {
          if (result.accepted) keepRecent(envelope, result.seq);
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
      const kept = recent.get(key);
      if (kept?.seq !== undefined) recent.set(key, { envelope: kept.envelope }); // seq now unknown
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

  const outboxStore: OutboxStore = {
    async claim(id, leaseMs) {
      open();
      flushFor(`o:${id}`);
      return claimOutbox(id, leaseMs);
    },
    async settle(id, sent, next) {
      open();
      // Rides in the group commit of the turns around it, like `remember`.
      await enqueue(`o:${id}`, () => {
        if (next.done) q.settleDone.run(sent, id);
        else if (next.retryAt !== undefined) q.settleRetry.run(sent, next.retryAt, id);
        else q.settleProgress.run(sent, id);
      });
    },
    async due(channel, limit) {
      writing();
      const t = now();
      return q.dueOutbox.all(channel, t, t, t, Math.max(0, Math.trunc(limit)));
    },
  };

  const records: RecordStore = {
    async put(record: ObservatoryRecord) {
      writing();
      q.putRecord.run({
        identity: record.identity,
        townKey: record.townKey,
        month: record.month,
        data: JSON.stringify(record),
      });
    },
    async deleteByIdentity(identity) {
      writing();
      return q.deleteRecords.run(identity).changes;
    },
    async listByTown(town) {
      open();
      return q.recordsByTown
        .all(townKey(town))
        .map((row) => parseRecord(row.data))
        .filter((r): r is ObservatoryRecord => r !== undefined);
    },
    async purgeBefore(month) {
      writing();
      return q.purgeRecords.run(month).changes;
    },
  };

  return {
    kind: 'sqlite',
    conversations,
    transcripts,
    records,
    outbox: outboxStore,
    coordination: {
      async lock(key, ttlMs, waitMs) {
        open();
        return locks.lock(key, ttlMs, waitMs);
      },
      async markSeen(id, ttlMs) {
        writing();
        const t = now();
        return q.markSeen.run({ id, until: t + ttlMs, now: t }).changes === 1;
      },
      async remember(id, value, ttlMs, owner) {
        open();
        // A turn's idempotency record rides in the same group commit as the turns around it.
        const params = {
          id,
          value: JSON.stringify(value),
          channel: owner?.channel ?? null,
          userRef: owner?.userRef ?? null,
          until: now() + ttlMs,
        };
        await enqueue(`r:${id}`, () => q.remember.run(params));
      },
      async recall(id) {
        open();
        flushFor(`r:${id}`);
        const row = q.recall.get(id, now());
        if (!row) return undefined;
        try {
          return JSON.parse(row.value) as unknown;
        } catch {
          return undefined;
        }
      },
    },
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
      if (checkpointer) {
        const worker = checkpointer;
        worker.postMessage('close');
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await checkpointerExited;
        clearTimeout(timer);
      }
      db.close();
    },
  };
}
