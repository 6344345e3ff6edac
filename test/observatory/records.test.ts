/**
 * Observatory records beyond the port contract (test/storage/contract-records.ts, run on every
 * backend by the storage tests): SQLite keeps them in its own table created by a numbered
 * migration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/observatory/index.js';
import {
  createSqliteStore,
  SQLITE_FILE_NAME,
  SQLITE_MIGRATIONS,
} from '../../src/storage/sqlite.js';
import { rec } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'clic-obs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `db-${++n}`);

describe('SQLite: the records table comes with a numbered migration', () => {
  it('a database at schema version 1 (conversations only) is migrated and keeps its conversations', async () => {
    const dir = freshDir();
    const file = join(dir, SQLITE_FILE_NAME);
    const first = createSqliteStore({ dir });
    await first.close();
    // Back to version 1, as a database from the previous release would be.
    const db = new Database(file);
    db.exec('DROP TABLE observatory_records; UPDATE schema_version SET version = 1');
    db.close();
    const reopened = createSqliteStore({ dir });
    await reopened.records.put(rec({ user: 'a' }));
    expect(await reopened.records.listByTown('Sens')).toHaveLength(1);
    await reopened.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: SQLITE_MIGRATIONS.length,
    });
    check.close();
  });

  it('a corrupt row is skipped when read back (stored data is untrusted)', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    await store.records.put(rec({ user: 'a' }));
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.prepare(
      "INSERT INTO observatory_records (identity, town_key, month, data) VALUES ('x', 'sens', '2026-03', '{not json')",
    ).run();
    db.close();
    expect(await store.records.listByTown('Sens')).toHaveLength(1);
    await store.close();
    expect(parseRecord('{not json')).toBeUndefined();
    expect(parseRecord({ ...rec(), identity: '42' })).toBeUndefined();
  });
});
