import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSqliteStore,
  SQLITE_FILE_NAME,
  SQLITE_MIGRATIONS,
} from '../../src/storage/sqlite.js';
import { runStoreContract, sampleEnvelope } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'clic-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `db-${++n}`);

runStoreContract('sqlite', () => createSqliteStore({ dir: freshDir() }));

describe('SQLite store specifics (SPEC §7: a file under DATA_DIR, WAL)', () => {
  it('creates the data directory and conversations.db, in WAL mode, at the latest schema version', async () => {
    const dir = join(freshDir(), 'nested', 'data');
    const store = createSqliteStore({ dir });
    await store.close();
    const file = join(dir, SQLITE_FILE_NAME);
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: SQLITE_MIGRATIONS.length,
    });
    db.close();
  });

  it('keeps conversations, dedupe ids and idempotency values across a reopen', async () => {
    const dir = freshDir();
    const first = createSqliteStore({ dir });
    await first.conversations.put(sampleEnvelope(), 0);
    await first.markSeen('telegram:update:5', 3_600_000);
    await first.remember('idem:x', ['a'], 3_600_000);
    await first.close();

    const second = createSqliteStore({ dir });
    expect((await second.conversations.get('web:conv-1'))?.revision).toBe(1);
    expect(await second.markSeen('telegram:update:5', 3_600_000)).toBe(false);
    expect(await second.recall('idem:x')).toEqual(['a']);
    await second.close();
  });

  it('purgeExpired physically deletes expired rows and counts them', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const past = Date.now() - 1000;
    await store.conversations.put(sampleEnvelope({ key: 'web:a', expiresAt: past }), 0);
    await store.conversations.put(sampleEnvelope({ key: 'web:b', expiresAt: past }), 0);
    await store.conversations.put(sampleEnvelope({ key: 'web:c' }), 0);
    expect(await store.conversations.purgeExpired(Date.now())).toBe(2);
    await store.close();
    const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    expect(db.prepare('SELECT key FROM conversations').all()).toEqual([{ key: 'web:c' }]);
    db.close();
  });

  it('refuses to open a database written by a newer release', async () => {
    const dir = freshDir();
    await createSqliteStore({ dir }).close();
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => createSqliteStore({ dir })).toThrow(/newer than this release/);
  });

  it('hands back undecodable data as is, for the runtime to discard', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    await store.conversations.put(sampleEnvelope(), 0);
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.prepare('UPDATE conversations SET data = ? WHERE key = ?').run('{not json', 'web:conv-1');
    db.close();
    expect(await store.conversations.get('web:conv-1')).toEqual({
      key: 'web:conv-1',
      revision: 1,
      data: '{not json',
    });
    await store.close();
  });
});
