/**
 * Group commit of the SQLite store: the `conversations.put` calls of one event-loop iteration
 * share one transaction, each still answered only once that transaction is committed. Real SQLite
 * files in a temp dir; `onCommit` counts the commits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Envelope, TranscriptEntry } from '../../src/storage/envelope.js';
import { createSqliteStore, SQLITE_FILE_NAME } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';
import { sampleEnvelope } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'clic-group-commit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `db-${++n}`);

const said = (text: string): TranscriptEntry => ({
  from: 'user',
  at: '2026-03-01T10:00:00.000Z',
  text,
});

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** A store in a fresh directory that records the size of each commit of queued writes. */
function openStore(dir = freshDir()) {
  const commits: number[] = [];
  const store = createSqliteStore({ dir, onCommit: (writes) => commits.push(writes) });
  opened.push(store);
  return { store, commits, dir, file: join(dir, SQLITE_FILE_NAME) };
}

describe('SQLite group commit of conversations.put', () => {
  it('50 puts on 50 keys issued together: all accepted, one commit', async () => {
    const { store, commits } = openStore();
    const puts = Array.from({ length: 50 }, (_, i) =>
      store.conversations.put(sampleEnvelope({ key: `web:c${i}` }), 0, {
        entries: [said(`bonjour ${i}`)],
      }),
    );
    expect(await Promise.all(puts)).toEqual(Array(50).fill(true));
    expect(commits).toEqual([50]);
    expect((await store.conversations.get('web:c49'))?.revision).toBe(1);
    expect(await store.transcripts.read('web:c17')).toEqual([said('bonjour 17')]);
  });

  it('the idempotency records of the same turns ride in the same commit, and are read back at once', async () => {
    const { store, commits } = openStore();
    const owner = { channel: 'web' as const, userRef: 'u1' };
    const writes = Array.from({ length: 10 }, (_, i) => [
      store.conversations.put(sampleEnvelope({ key: `web:r${i}` }), 0),
      store.coordination.remember(`idem:web:r${i}:m1`, [{ text: `réponse ${i}` }], 60_000, owner),
    ]).flat();
    // Read before the commit ran: the read flushes the queue and sees its own write.
    expect(await store.coordination.recall('idem:web:r3:m1')).toEqual([{ text: 'réponse 3' }]);
    await Promise.all(writes);
    expect(commits).toEqual([20]);
    expect(await store.coordination.recall('idem:web:r9:m1')).toEqual([{ text: 'réponse 9' }]);
  });

  it('a put is answered only after its commit: another connection already reads it', async () => {
    const { store, file } = openStore();
    const put = store.conversations.put(sampleEnvelope(), 0);
    const other = new Database(file, { readonly: true });
    try {
      // Queued, not yet written.
      expect(other.prepare('SELECT key FROM conversations').all()).toEqual([]);
      expect(await put).toBe(true);
      expect(other.prepare('SELECT key FROM conversations').all()).toEqual([{ key: 'web:conv-1' }]);
    } finally {
      other.close();
    }
  });

  it('two writers of the same key and revision in one batch: the first wins, the second conflicts', async () => {
    const { store, commits } = openStore();
    await store.conversations.put(sampleEnvelope(), 0);
    const results = await Promise.all([
      store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'a' }), 1, {
        entries: [said('gagné')],
      }),
      store.conversations.put(sampleEnvelope({ revision: 2, flowId: 'b' }), 1, {
        entries: [said('perdu')],
      }),
    ]);
    expect(results).toEqual([true, false]);
    expect(commits).toEqual([1, 2]);
    const stored = await store.conversations.get('web:conv-1');
    expect(stored?.revision).toBe(2);
    expect((stored?.data as Envelope | undefined)?.flowId).toBe('a');
    // The loser's transcript entries were not written either.
    expect(await store.transcripts.read('web:conv-1')).toEqual([said('gagné')]);
  });

  it('still validates at once: a revision that does not move forward rejects, nothing is queued', async () => {
    const { store, commits } = openStore();
    await expect(store.conversations.put(sampleEnvelope({ revision: 1 }), 1)).rejects.toThrow(
      RangeError,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toEqual([]);
  });

  it('reads see a queued put: get and transcripts.read right after an un-awaited put', async () => {
    const { store } = openStore();
    const put = store.conversations.put(sampleEnvelope(), 0, { entries: [said('un')] });
    const [stored, entries] = await Promise.all([
      store.conversations.get('web:conv-1'),
      store.transcripts.read('web:conv-1'),
    ]);
    expect(stored?.revision).toBe(1);
    expect(entries).toEqual([said('un')]);
    expect(await put).toBe(true);
  });

  it('other writes keep their order: put then delete, put then append', async () => {
    const { store } = openStore();
    const put = store.conversations.put(sampleEnvelope(), 0);
    const deleted = store.conversations.delete('web:conv-1');
    expect(await put).toBe(true);
    expect(await deleted).toBe(true);
    expect(await store.conversations.get('web:conv-1')).toBeUndefined();

    // A new conversation starts with an empty transcript: the append must come after the put,
    // or the put would wipe it.
    const created = store.conversations.put(sampleEnvelope({ key: 'web:b' }), 0);
    const appended = store.transcripts.append('web:b', [said('après')], {
      expiresAt: Date.now() + 3_600_000,
    });
    await Promise.all([created, appended]);
    expect(await store.transcripts.read('web:b')).toEqual([said('après')]);
  });

  it('one put failing inside the batch fails alone: the others are committed', async () => {
    const { store, commits, file } = openStore();
    // An honest failure inside the transaction: a trigger, created through a second connection
    // to the same file, refuses one key.
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON conversations
                WHEN NEW.key = 'web:bad'
                BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    admin.close();

    const keys = ['web:a', 'web:b', 'web:bad', 'web:c', 'web:d'];
    const settled = await Promise.allSettled(
      keys.map((key) =>
        store.conversations.put(sampleEnvelope({ key }), 0, { entries: [said(key)] }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)).toEqual(
      Array(4).fill(true),
    );
    const failure = settled[2];
    expect(failure?.status === 'rejected' && String(failure.reason)).toMatch(/refused by test/);
    // The batch was rolled back, then each good put committed on its own.
    expect(commits).toEqual([1, 1, 1, 1]);
    for (const key of ['web:a', 'web:b', 'web:c', 'web:d']) {
      expect((await store.conversations.get(key))?.revision).toBe(1);
      expect(await store.transcripts.read(key)).toEqual([said(key)]);
    }
    expect(await store.conversations.get('web:bad')).toBeUndefined();
  });

  it('close() commits the queued puts first', async () => {
    const dir = freshDir();
    const { store } = openStore(dir);
    const puts = ['web:x', 'web:y', 'web:z'].map((key) =>
      store.conversations.put(sampleEnvelope({ key }), 0, { entries: [said(key)] }),
    );
    await store.close();
    expect(await Promise.all(puts)).toEqual([true, true, true]);

    const reopened = createSqliteStore({ dir });
    opened.push(reopened);
    for (const key of ['web:x', 'web:y', 'web:z']) {
      expect((await reopened.conversations.get(key))?.revision).toBe(1);
      expect(await reopened.transcripts.read(key)).toEqual([said(key)]);
    }
  });
});
