/**
 * The embedded default store: one SQLite file (`conversations.db` under DATA_DIR) through
 * better-sqlite3 — WAL, a busy timeout, prepared statements, and numbered schema migrations
 * recorded in a version table. Locks are in-process: one process owns the file (several
 * instances use the Redis store instead).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  type ObservatoryRecord,
  parseRecord,
  type RecordStore,
  townKey,
} from '../observatory/records.js';
import type { Envelope } from './envelope.js';
import { createLockManager } from './locks.js';
import { type ConversationStore, type Store, StoreClosedError, toMillis } from './types.js';

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
};

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
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('synchronous = NORMAL');
  // « Oublier mes données » erases at once (SPEC §7): deleted rows are overwritten, not left in
  // free pages of the file.
  db.pragma('secure_delete = ON');
  migrate(db);

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

  const deleteUser = db.transaction((channel: string, userRef: string) => {
    const removed = q.deleteByUser.run(channel, userRef).changes;
    q.forgetRemembered.run(channel, userRef);
    return removed;
  });
  const purge = db.transaction((at: number) => {
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
    async put(envelope: Envelope, expectedRevision) {
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
      const result =
        expectedRevision === 0
          ? q.insert.run(params)
          : q.update.run({ ...params, expected: expectedRevision });
      return result.changes === 1;
    },
    async delete(key) {
      open();
      return q.delete.run(key).changes > 0;
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
      db.close();
    },
  };
}
