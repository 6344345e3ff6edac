import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/storage/envelope.js';
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
    // 8 KB pages: a 2 KB transcript reply does not leave half of a 4 KB page empty.
    expect(db.pragma('page_size', { simple: true })).toBe(8192);
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: SQLITE_MIGRATIONS.length,
    });
    db.close();
  });

  it('keeps conversations, dedupe ids and idempotency values across a reopen', async () => {
    const dir = freshDir();
    const first = createSqliteStore({ dir });
    await first.conversations.put(sampleEnvelope(), 0);
    await first.coordination.markSeen('telegram:update:5', 3_600_000);
    await first.coordination.remember('idem:x', ['a'], 3_600_000);
    await first.close();

    const second = createSqliteStore({ dir });
    expect((await second.conversations.get('web:conv-1'))?.revision).toBe(1);
    expect(await second.coordination.markSeen('telegram:update:5', 3_600_000)).toBe(false);
    expect(await second.coordination.recall('idem:x')).toEqual(['a']);
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
    // Edited behind an open store: seen only without the copy of what it wrote (see below).
    const store = createSqliteStore({ dir, recentConversations: 0 });
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

  it('migration 3 moves the transcript out of envelopes written by the previous release', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const sql of SQLITE_MIGRATIONS.slice(0, 2)) db.exec(sql);
    db.prepare('INSERT INTO schema_version (version) VALUES (2)').run();
    const user = { from: 'user' as const, at: '2026-03-01T10:00:00.000Z', text: 'Bonjour' };
    const bot = { from: 'bot', at: '2026-03-01T10:00:00.000Z', replies: [] };
    const old = { ...sampleEnvelope(), transcript: [user, bot] };
    const insert = db.prepare(
      `INSERT INTO conversations (key, channel, user_ref, revision, data, updated_at, expires_at)
       VALUES (?, 'web', 'user-1', 1, ?, 0, ?)`,
    );
    insert.run(old.key, JSON.stringify(old), old.expiresAt);
    insert.run('web:garbage', '{not json', old.expiresAt);
    db.close();

    const store = createSqliteStore({ dir });
    const stored = await store.conversations.get(old.key);
    expect(stored?.data).toEqual(
      sampleEnvelope({
        createdAt: old.createdAt,
        updatedAt: old.updatedAt,
        expiresAt: old.expiresAt,
      }),
    );
    expect(await store.transcripts.read(old.key)).toEqual([user, bot]);
    expect((await store.conversations.get('web:garbage'))?.data).toBe('{not json');
    await store.transcripts.append(old.key, [user], { expiresAt: old.expiresAt });
    expect(await store.transcripts.read(old.key)).toEqual([user, bot, user]);
    await store.close();
  });

  it('once busy, checkpoints run in a worker thread (no fsync on a turn) and closing waits for it', async () => {
    const sizeAfterWrites = async (checkpointWorkerAfter: number | false) => {
      const dir = freshDir();
      const store = createSqliteStore({ dir, checkpointWorkerAfter });
      const file = join(dir, SQLITE_FILE_NAME);
      const initial = statSync(file).size;
      for (let i = 0; i < 60; i++) {
        await store.conversations.put(sampleEnvelope({ key: `web:c${i}` }), 0, {
          entries: [{ from: 'user', at: '2026-03-01T10:00:00.000Z', text: 'x'.repeat(900) }],
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const grown = statSync(file).size - initial;
      await store.close();
      const reopened = createSqliteStore({ dir, checkpointWorkerAfter: false });
      expect(await reopened.conversations.get('web:c59')).toBeDefined();
      expect(await reopened.transcripts.read('web:c59')).toHaveLength(1);
      await reopened.close();
      return grown;
    };
    // Without the worker, 60 small writes stay in the WAL (SQLite checkpoints every 1000 pages).
    expect(await sizeAfterWrites(false)).toBe(0);
    expect(await sizeAfterWrites(10)).toBeGreaterThan(0);
  });
});

describe('SQLite store: the envelopes it wrote last, kept in memory', () => {
  const user = { from: 'user' as const, at: '2026-03-01T10:00:00.000Z', text: 'Bonjour' };
  const bot = { from: 'bot' as const, at: '2026-03-01T10:00:00.000Z', replies: [] };
  /** The row as the file holds it, read by a second connection (its data decoded as stores do). */
  const onDisk = (dir: string, key: string) => {
    const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    const row = db
      .prepare('SELECT revision, user_ref AS userRef, data FROM conversations WHERE key = ?')
      .get(key) as { revision: number; userRef: string; data: string } | undefined;
    const seqs = db
      .prepare('SELECT seq FROM transcript_entries WHERE key = ? ORDER BY seq')
      .pluck()
      .all(key);
    db.close();
    return row ? { ...row, data: decodeEnvelope(row.data), seqs } : undefined;
  };

  it('hands back what it wrote, frozen and marked trusted; a reopened store reads the file, untrusted', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const envelope = sampleEnvelope();
    await store.conversations.put(envelope, 0);
    const kept = await store.conversations.get(envelope.key);
    expect(kept?.trusted).toBe(true);
    expect(kept?.revision).toBe(1);
    expect(Object.isFrozen(kept?.data)).toBe(true);
    expect(kept?.data).toEqual(envelope);
    expect(onDisk(dir, envelope.key)?.data).toEqual(kept?.data);
    await store.close();
    const reopened = createSqliteStore({ dir });
    const read = await reopened.conversations.get(envelope.key);
    expect(read?.trusted).toBeUndefined();
    expect(read?.data).toEqual(envelope);
    await reopened.close();
  });

  it('is bounded: beyond `recentConversations`, the oldest written come from the file again', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir, recentConversations: 3 });
    for (let i = 1; i <= 5; i++) {
      await store.conversations.put(sampleEnvelope({ key: `web:c${i}` }), 0);
    }
    const trusted = [];
    for (let i = 1; i <= 5; i++) {
      trusted.push((await store.conversations.get(`web:c${i}`))?.trusted === true);
    }
    expect(trusted).toEqual([false, false, true, true, true]);
    await store.close();
  });

  it('forgets what it deleted, erased or purged, and never hands back an expired envelope', async () => {
    let clock = Date.now();
    const dir = freshDir();
    const store = createSqliteStore({ dir, now: () => clock });
    const at = clock;
    await store.conversations.put(sampleEnvelope({ key: 'web:a', createdAt: at }), 0);
    await store.conversations.put(sampleEnvelope({ key: 'web:b', userRef: 'user-b' }), 0);
    await store.conversations.put(
      sampleEnvelope({ key: 'web:c', userRef: 'user-c', expiresAt: at + 1000 }),
      0,
    );
    expect(await store.conversations.delete('web:a')).toBe(true);
    expect(await store.conversations.get('web:a')).toBeUndefined();
    expect(await store.conversations.deleteByUser('web', 'user-b')).toBe(1);
    expect(await store.conversations.get('web:b')).toBeUndefined();
    clock += 2000;
    expect(await store.conversations.get('web:c')).toBeUndefined();
    expect(await store.conversations.purgeExpired(clock)).toBe(1);
    await store.close();
  });

  it('a refused compare-and-set changes neither the file nor what it keeps', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    await store.conversations.put(sampleEnvelope(), 0);
    await store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'a' }), 1);
    expect(await store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'b' }), 1)).toBe(
      false,
    );
    const kept = await store.conversations.get('web:conv-1');
    expect(kept?.revision).toBe(2);
    expect((kept?.data as { flowId?: string } | undefined)?.flowId).toBe('a');
    expect(onDisk(dir, 'web:conv-1')?.data).toEqual(kept?.data);
    await store.close();
  });

  it('keeps transcript sequence numbers right across its own puts, appends and a new owner', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const key = 'telegram:group-1';
    const envelope = (revision: number, userRef: string) =>
      sampleEnvelope({ key, channel: 'telegram', userRef, revision });
    await store.conversations.put(envelope(1, 'alice'), 0, { entries: [user, bot] });
    await store.conversations.put(envelope(2, 'alice'), 1, { entries: [user, bot] });
    await store.transcripts.append(key, [user], { expiresAt: Date.now() + 60_000 });
    // Another member of the group writes the next turn: the owner column follows.
    await store.conversations.put(envelope(3, 'bob'), 2, { entries: [user, bot] });
    await store.conversations.put(envelope(4, 'bob'), 3, { entries: [bot] });
    const disk = onDisk(dir, key);
    expect(disk?.revision).toBe(4);
    expect(disk?.userRef).toBe('bob');
    // One row per write: a turn's entries share theirs.
    expect(disk?.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(await store.transcripts.read(key)).toHaveLength(8);
    expect(await store.conversations.deleteByUser('telegram', 'bob')).toBe(1);
    expect(await store.conversations.get(key)).toBeUndefined();
    await store.close();
  });

  it('a turn writes one transcript row; reads stay bounded to the last 100 entries, in order', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const key = 'web:long';
    for (let turn = 1; turn <= 70; turn++) {
      await store.conversations.put(sampleEnvelope({ key, revision: turn }), turn - 1, {
        entries: [
          { ...user, text: `question ${turn}` },
          { ...bot, at: `2026-03-01T10:00:${String(turn % 60).padStart(2, '0')}.000Z` },
        ],
      });
    }
    const entries = (await store.transcripts.read(key)) as { from: string; text?: string }[];
    expect(entries).toHaveLength(100);
    expect(entries[0]?.text).toBe('question 21');
    expect(entries.at(-2)?.text).toBe('question 70');
    expect(entries.at(-1)?.from).toBe('bot');
    expect(onDisk(dir, key)?.seqs).toHaveLength(70);
    await store.close();
  });
});
