/**
 * The embedded default store: one SQLite file (`conversations.db` under DATA_DIR) through
 * better-sqlite3 — WAL, a busy timeout, prepared statements, and numbered schema migrations
 * recorded in a version table. Locks are in-process: one process owns the file (several
 * instances use the Redis store instead).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  type ObservatoryRecord,
  parseRecord,
  type RecordStore,
  townKey,
} from '../observatory/records.js';
import { type Envelope, MAX_TRANSCRIPT_ENTRIES } from './envelope.js';
import { createLockManager } from './locks.js';
import {
  type ConversationStore,
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

  /** The next sequence numbers, then the oldest entries beyond the bound go. */
  function appendRows(key: string, entries: readonly string[], replace: boolean): void {
    let seq = 0;
    if (replace) q.clearEntries.run(key);
    else seq = q.lastSeq.get(key) ?? 0;
    for (const data of entries) q.addEntry.run(key, ++seq, data);
    if (seq > MAX_TRANSCRIPT_ENTRIES) q.trimEntries.run(key, seq - MAX_TRANSCRIPT_ENTRIES);
  }
  type PutParams = Record<string, unknown> & { key: string };
  /** A new conversation (or one over an expired record) starts with no transcript. */
  const create = db.transaction((params: PutParams) => {
    if (q.insert.run(params).changes !== 1) return false;
    q.clearEntries.run(params.key);
    return true;
  });
  /** A turn's one write: the envelope (compare-and-set) and its transcript entries, one commit. */
  const putWithEntries = db.transaction(
    (params: PutParams, expected: number, entries: readonly string[], replace: boolean) => {
      const created = expected === 0;
      const changed = created
        ? q.insert.run(params).changes
        : q.update.run({ ...params, expected }).changes;
      if (changed !== 1) return false;
      appendRows(params.key, entries, replace || created);
      return true;
    },
  );
  const appendEntries = db.transaction(appendRows);
  const deleteOne = db.transaction((key: string) => {
    q.clearEntries.run(key);
    return q.delete.run(key).changes > 0;
  });
  const deleteUser = db.transaction((channel: string, userRef: string) => {
    q.forgetEntries.run(channel, userRef);
    const removed = q.deleteByUser.run(channel, userRef).changes;
    q.forgetRemembered.run(channel, userRef);
    return removed;
  });
  const purge = db.transaction((at: number) => {
    q.purgeEntries.run(at);
    const removed = q.purgeConversations.run(at).changes;
    q.purgeSeen.run(at);
    q.purgeRemembered.run(at);
    return removed;
  });

  const locks = createLockManager();
  let closed = false;
  function open(): void {
    if (closed) throw new StoreClosedError();
  }

  const conversations: ConversationStore = {
    async get(key) {
      open();
      const row = q.get.get(key, now());
      if (!row) return undefined;
      let data: unknown;
      try {
        data = JSON.parse(row.data);
      } catch {
        data = row.data;
      }
      return { key, revision: row.revision, data };
    },
    async put(envelope: Envelope, expectedRevision, transcript) {
      open();
      if (envelope.revision <= expectedRevision) {
        throw new RangeError('envelope.revision must be greater than expectedRevision');
      }
      const params = {
        key: envelope.key,
        channel: envelope.channel,
        userRef: envelope.userRef,
        revision: envelope.revision,
        data: JSON.stringify(envelope),
        updatedAt: envelope.updatedAt,
        expiresAt: envelope.expiresAt,
        now: now(),
      };
      wrote();
      if (transcript) {
        return putWithEntries(
          params,
          expectedRevision,
          transcript.entries.map((e) => JSON.stringify(e)),
          transcript.replace === true,
        );
      }
      return expectedRevision === 0
        ? create(params)
        : q.update.run({ ...params, expected: expectedRevision }).changes === 1;
    },
    async delete(key) {
      open();
      return deleteOne(key);
    },
    async deleteByUser(channel, userRef) {
      open();
      return deleteUser(channel, userRef);
    },
    async purgeExpired(at) {
      open();
      return purge(toMillis(at));
    },
  };

  // The transcript expires with its conversation: `read` only sees the entries of a live one,
  // and `purgeExpired` removes them with it.
  const transcripts: TranscriptStore = {
    async append(key, entries, { replace }) {
      open();
      appendEntries(
        key,
        entries.map((e) => JSON.stringify(e)),
        replace === true,
      );
    },
    async read(key) {
      open();
      const out: unknown[] = [];
      for (const data of q.readEntries.all(key, key, now())) {
        try {
          out.push(JSON.parse(data) as unknown);
        } catch {
          // a damaged row is left out; the caller validates the rest
        }
      }
      return out;
    },
  };

  const records: RecordStore = {
    async put(record: ObservatoryRecord) {
      open();
      q.putRecord.run({
        identity: record.identity,
        townKey: record.townKey,
        month: record.month,
        data: JSON.stringify(record),
      });
    },
    async deleteByIdentity(identity) {
      open();
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
      open();
      return q.purgeRecords.run(month).changes;
    },
  };

  return {
    kind: 'sqlite',
    conversations,
    transcripts,
    records,
    async lock(key, ttlMs, waitMs) {
      open();
      return locks.lock(key, ttlMs, waitMs);
    },
    async markSeen(id, ttlMs) {
      open();
      const t = now();
      return q.markSeen.run({ id, until: t + ttlMs, now: t }).changes === 1;
    },
    async remember(id, value, ttlMs, owner) {
      open();
      q.remember.run({
        id,
        value: JSON.stringify(value),
        channel: owner?.channel ?? null,
        userRef: owner?.userRef ?? null,
        until: now() + ttlMs,
      });
    },
    async recall(id) {
      open();
      const row = q.recall.get(id, now());
      if (!row) return undefined;
      try {
        return JSON.parse(row.value) as unknown;
      } catch {
        return undefined;
      }
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
      closed = true;
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
