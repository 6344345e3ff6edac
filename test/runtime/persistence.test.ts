/**
 * Persistence through the SQLite store (issue 5, « Persistence »): a rebuilt runtime continues,
 * an older flow version restarts politely, a corrupted envelope is discarded kindly, concurrent
 * turns on one key are each applied exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { CORRUPTED_TEXT, FLOW_UPDATED_TEXT } from '../../src/runtime/messages.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { type Envelope, parseEnvelope } from '../../src/storage/envelope.js';
import { createSqliteStore, SQLITE_FILE_NAME } from '../../src/storage/sqlite.js';
import { type CounterSnapshot, createCounterEngine } from './fake-engine.js';
import { createRecordingLogger, said, setup, telegramCtx, webCtx } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'clic-runtime-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `data-${++n}`);
const KEY = 'telegram:42';

async function snapshotIn(dir: string): Promise<{ revision: number; count: number } | undefined> {
  const store = createSqliteStore({ dir });
  const record = await store.conversations.get(KEY);
  await store.close();
  if (!record) return undefined;
  return {
    revision: record.revision,
    count: ((record.data as Envelope).snapshot as CounterSnapshot).count,
  };
}

/**
 * Another writer edits the file while the store is open: only a store without its in-memory
 * copy of the envelopes it wrote (`recentConversations: 0`) can see that; the default store
 * assumes it is the file's one owner (see the cache tests in test/storage/sqlite.test.ts).
 */
const sharedFile = (dir: string) => createSqliteStore({ dir, recentConversations: 0 });

function rawWrite(dir: string, data: string): void {
  const db = new Database(join(dir, SQLITE_FILE_NAME));
  db.prepare('UPDATE conversations SET data = ? WHERE key = ?').run(data, KEY);
  db.close();
}

describe('persistence on SQLite', () => {
  it('a conversation continues after the runtime and the store are rebuilt on the same file', async () => {
    const dir = freshDir();
    const first = setup(createSqliteStore({ dir }));
    for (const word of ['un', 'deux', 'trois']) {
      await first.runtime.turn(KEY, { type: 'text', text: word }, telegramCtx);
    }
    await first.runtime.close();
    // (a process restart: new store handle, new runtime, same file)
    const store = createSqliteStore({ dir });
    const second = setup(store);
    const result = await second.runtime.turn(KEY, { type: 'text', text: 'quatre' }, telegramCtx);
    expect(said(result.replies)).toBe('Compteur : 4.');
    expect(second.engine.calls.start).toBe(0);
    await store.close();
    expect(await snapshotIn(dir)).toEqual({ revision: 4, count: 4 });
  });

  it('a web message repeated after a restart gets the same replies, read back from the transcript rows', async () => {
    const dir = freshDir();
    const first = setup(createSqliteStore({ dir }));
    await first.runtime.turn('web:c1', { type: 'start' }, webCtx);
    const sent = await first.runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    await first.runtime.close();
    const store = createSqliteStore({ dir });
    const second = setup(store);
    const again = await second.runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect(again.outcome).toBe('replayed');
    expect(again.replies).toEqual(sent.replies);
    expect(second.engine.calls.step).toBe(0);
    await store.close();
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    expect(db.prepare('SELECT COUNT(*) AS n FROM remembered').get()).toEqual({ n: 0 });
    db.close();
  });

  it('an envelope from an older flow version restarts politely, keeping the town', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const old = createRuntime({
      engine: createCounterEngine(1),
      store,
      logger: createRecordingLogger(),
    });
    await old.turn(KEY, { type: 'start', town: 'Sens' }, telegramCtx);
    await old.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);

    const upgraded = createRuntime({
      engine: createCounterEngine(2),
      store,
      logger: createRecordingLogger(),
    });
    // An old button pressed after the upgrade: restart, the old button is not applied.
    const result = await upgraded.turn(KEY, { type: 'action', action: 'plus' }, telegramCtx);
    expect(result.outcome).toBe('ok');
    expect(result.replies.map((r) => r.text)).toEqual([
      FLOW_UPDATED_TEXT,
      'Bienvenue à Sens (v2).',
    ]);
    const record = await store.conversations.get(KEY);
    expect(record?.revision).toBe(3);
    expect((record?.data as Envelope | undefined)?.flowVersion).toBe(2);
    expect(
      ((record?.data as Envelope | undefined)?.snapshot as CounterSnapshot | undefined)?.count,
    ).toBe(0);
    // Then the conversation goes on normally.
    const next = await upgraded.turn(KEY, { type: 'action', action: 'plus' }, telegramCtx);
    expect(said(next.replies)).toBe('Compteur : 1.');
    await store.close();
  });

  it('a typed message after an upgrade is answered after the restart notice', async () => {
    const store = createSqliteStore({ dir: freshDir() });
    await setup(store).runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    const upgraded = createRuntime({
      engine: createCounterEngine(2),
      store,
      logger: createRecordingLogger(),
    });
    const result = await upgraded.turn(KEY, { type: 'text', text: 'bonjour' }, telegramCtx);
    expect(result.replies.map((r) => r.text)).toEqual([
      FLOW_UPDATED_TEXT,
      'Bienvenue (v2).',
      'Compteur : 1.',
    ]);
    await store.close();
  });

  it('a corrupted envelope (garbage in the database) is discarded with a kind message', async () => {
    const dir = freshDir();
    const store = sharedFile(dir);
    const { runtime, logger } = setup(store);
    await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    await runtime.turn(KEY, { type: 'text', text: 'deux' }, telegramCtx);
    rawWrite(dir, '{"key": "telegram:42", "snapshot": [garbage');
    const result = await runtime.turn(KEY, { type: 'text', text: 'trois' }, telegramCtx);
    expect(result.outcome).toBe('ok');
    expect(result.replies.map((r) => r.text)).toEqual([
      CORRUPTED_TEXT,
      'Bienvenue (v1).',
      'Compteur : 1.',
    ]);
    expect(logger.lines.find((l) => l.obj.code === 'envelope-discarded')?.level).toBe('warn');
    await store.close();
    expect(await snapshotIn(dir)).toEqual({ revision: 3, count: 1 });
  });

  it('valid JSON of the wrong shape is treated as corrupt too (stored data is untrusted)', async () => {
    const dir = freshDir();
    const store = sharedFile(dir);
    const { runtime } = setup(store, { transcriptChannels: ['telegram'] });
    await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    rawWrite(
      dir,
      JSON.stringify({ key: KEY, channel: 'fax', revision: -1, snapshot: { count: 99 } }),
    );
    const result = await runtime.turn(KEY, { type: 'action', action: 'plus' }, telegramCtx);
    expect(result.replies.map((r) => r.text)).toEqual([CORRUPTED_TEXT, 'Bienvenue (v1).']);
    // The old transcript went with the corrupt record: only this turn remains.
    const transcript = await runtime.transcript(KEY);
    expect(transcript?.map((e) => e.from)).toEqual(['user', 'bot']);
    expect(transcript?.[1]?.replies?.[0]?.text).toBe(CORRUPTED_TEXT);
    await store.close();
  });

  it('an envelope copied under another key is not trusted', async () => {
    const dir = freshDir();
    const store = sharedFile(dir);
    const { runtime } = setup(store);
    await runtime.turn(
      'telegram:7',
      { type: 'text', text: 'un' },
      { ...telegramCtx, userRef: '7' },
    );
    await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    const other = await store.conversations.get('telegram:7');
    rawWrite(dir, JSON.stringify(other?.data));
    const result = await runtime.turn(KEY, { type: 'text', text: 'deux' }, telegramCtx);
    expect(result.replies[0]?.text).toBe(CORRUPTED_TEXT);
    await store.close();
  });

  it('50 concurrent turns on one key leave a consistent state: each applied exactly once', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const { runtime } = setup(store);
    const words = Array.from({ length: 50 }, (_, i) => `message ${i}`);
    const results = await Promise.all(
      words.map((text) => runtime.turn(KEY, { type: 'text', text }, telegramCtx)),
    );
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    // Every turn saw a different counter value: none lost, none doubled.
    const counts = results.map((r) =>
      Number(/Compteur : (\d+)/.exec(r.replies.at(-1)?.text ?? '')?.[1]),
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const record = await store.conversations.get(KEY);
    const snapshot = (record?.data as Envelope | undefined)?.snapshot as CounterSnapshot;
    expect(record?.revision).toBe(50);
    expect(snapshot.count).toBe(50);
    expect([...snapshot.seen].sort()).toEqual([...words].sort());
    await store.close();
  });

  it('every envelope a real dialogue writes is valid as read back: the next turn may use it unchecked', async () => {
    const dir = freshDir();
    const store = createSqliteStore({ dir });
    const runtime = createRuntime({
      engine: createDialogueEngine(),
      store,
      logger: createRecordingLogger(),
    });
    const key = 'web:conv-valid';
    const ctx = { ...webCtx, userRef: 'conv-valid' };
    const events = [
      { type: 'start' as const, town: 'Sens' },
      { type: 'action' as const, action: 'aud:commercant' },
      { type: 'action' as const, action: 'diag:c' },
      { type: 'text' as const, text: 'oui' },
      { type: 'text' as const, text: 'non' },
      { type: 'text' as const, text: 'je ne sais pas' },
      { type: 'text' as const, text: 'oui' },
      { type: 'text' as const, text: 'les clients ne trouvent pas où se garer' },
      { type: 'text' as const, text: 'menu' },
    ];
    const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    const row = db.prepare('SELECT data FROM conversations WHERE key = ?').pluck();
    for (const [i, event] of events.entries()) {
      const result = await runtime.turn(key, event, ctx, { idempotencyKey: `m-${i}` });
      expect(result.outcome).toBe('ok');
      const kept = await store.conversations.get(key);
      expect(kept?.trusted).toBe(true);
      const parsed = parseEnvelope(JSON.parse(row.get(key) as string), key);
      expect(parsed.ok).toBe(true);
      expect(parsed.ok && parsed.envelope).toEqual(kept?.data);
    }
    db.close();
    await runtime.close();
    await store.close();
  });
});
