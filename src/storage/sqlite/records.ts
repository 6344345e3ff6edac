/**
 * The SQLite store's observatory records (issue 9): one row per identity and town in
 * `observatory_records` (migration 2), no TTL — kept until replaced, erased or purged.
 */
import type Database from 'better-sqlite3';
import { type ObservatoryRecord, parseRecord, type RecordStore, townKey } from '../records.js';

/** How a part of the SQLite store checks that the store is open before it acts. */
export interface SqliteGate {
  /** Throws StoreClosedError once the store is closed. */
  readonly open: () => void;
  /** `open`, then commits the queued group-commit writes, so that writes keep their order. */
  readonly writing: () => void;
}

/** The records port over one store's connection. */
export function createSqliteRecords(db: Database.Database, gate: SqliteGate): RecordStore {
  const { open, writing } = gate;
  const q = {
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
  return {
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
}
