/**
 * The SQLite file as the store opens it: its pragmas (WAL, busy timeout, secure delete…) and its
 * schema — numbered migrations recorded in a `schema_version` table, applied in one transaction
 * when the store opens; a database from a newer release is refused.
 */
import Database from 'better-sqlite3';

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

/** Page size of a new database file (bytes). */
const PAGE_SIZE = 8192;

/** Opens `file` (or `:memory:`) with the store's pragmas and brings its schema up to date. */
export function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(file);
  // Transcript rows are 0.1–4 KB: 4 KB pages would hold one 2 KB reply each, half empty. Only
  // takes effect on a new file (an existing one keeps its page size).
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  db.pragma('synchronous = NORMAL');
  // « Oublier mes données » erases at once (SPEC §7): deleted rows are overwritten, not left in
  // free pages of the file.
  db.pragma('secure_delete = ON');
  // The WAL file is cut back to 32 MB when it restarts above that (rare: see checkpoint.ts).
  db.pragma('journal_size_limit = 33554432');
  migrate(db);
  return db;
}
