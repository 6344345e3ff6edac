/**
 * The envelope's own version `v` and its one migration chain: every backend writes the current
 * version, and an envelope of each older shape, stored raw, is read back upgraded; one from a
 * newer release is refused with a reason that says so, and the runtime discards it like a
 * corrupt record (logged, the conversation starts again), never crashing. SQLite and Redis are
 * checked with raw rows; the memory store holds nothing from another release (it is lost at
 * exit), so it is checked for what it writes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  ENVELOPE_VERSION,
  type Envelope,
  encodeEnvelope,
  parseEnvelope,
  upgradeEnvelope,
} from '../../src/storage/envelope.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createRedisStore } from '../../src/storage/redis.js';
import { createSqliteStore, SQLITE_FILE_NAME } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';
import { setup, telegramCtx } from '../runtime/helpers.js';
import { sampleEnvelope } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'clic-envelope-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `db-${++n}`);

const user = { from: 'user' as const, at: '2026-01-01T00:00:00.000Z', text: 'Bonjour' };
const bot = { from: 'bot' as const, at: '2026-01-01T00:00:01.000Z', replies: [] };

/** The stored shapes a release may meet, with what reading them must give. */
function shapes(envelope: Envelope) {
  return [
    {
      name: 'version 1 with its transcript inside (before the transcript moved out)',
      raw: { ...envelope, transcript: [user, bot] },
      legacyTranscript: [user, bot],
    },
    { name: 'version 1 as written before `v` existed (no transcript)', raw: { ...envelope } },
    { name: `version ${ENVELOPE_VERSION} (current)`, raw: { v: ENVELOPE_VERSION, ...envelope } },
  ];
}

const NEWER = ENVELOPE_VERSION + 7;
const newerReason = `envelope version ${NEWER} is newer than this release (${ENVELOPE_VERSION})`;

describe('the migration chain', () => {
  it('brings every older shape up to the current one, setting a version-1 transcript aside', () => {
    const envelope = sampleEnvelope();
    for (const shape of shapes(envelope)) {
      const result = parseEnvelope(JSON.parse(JSON.stringify(shape.raw)), envelope.key);
      expect(result, shape.name).toEqual({
        ok: true,
        envelope,
        ...(shape.legacyTranscript ? { legacyTranscript: shape.legacyTranscript } : {}),
      });
    }
  });

  it('refuses a newer version, and a `v` that is no version, naming only that', () => {
    const envelope = sampleEnvelope();
    expect(parseEnvelope({ v: NEWER, ...envelope }, envelope.key)).toEqual({
      ok: false,
      reason: newerReason,
    });
    for (const v of [0, -1, 1.5, '2', null]) {
      expect(upgradeEnvelope({ ...envelope, v })).toEqual({
        ok: false,
        reason: 'invalid fields: v',
      });
    }
    expect(upgradeEnvelope([envelope])).toEqual({ ok: false, reason: 'invalid fields: (root)' });
  });

  it('writes the current version first; reads the current version back as the envelope', () => {
    const envelope = sampleEnvelope();
    const text = encodeEnvelope(envelope);
    expect(text.startsWith(`{"v":${ENVELOPE_VERSION},"key":`)).toBe(true);
    expect(JSON.parse(text)).toEqual({ v: ENVELOPE_VERSION, ...envelope });
    expect(decodeEnvelope(text)).toEqual(envelope);
    // Any other version is handed over as stored, for parseEnvelope to upgrade or refuse.
    expect(decodeEnvelope(JSON.stringify({ v: NEWER, ...envelope }))).toEqual({
      v: NEWER,
      ...envelope,
    });
    expect(decodeEnvelope('{not json')).toBe('{not json');
  });
});

/** Reads `key` back through the store and the chain, as the runtime does. */
async function readBack(store: Store, key: string) {
  const stored = await store.conversations.get(key);
  expect(stored, key).toBeDefined();
  return parseEnvelope(stored?.data, key);
}

/** Runs the shapes and the newer version on a backend that can hold raw rows. */
function rawShapeTests(
  name: string,
  open: () => Store,
  putRaw: (store: Store, key: string, raw: unknown, expiresAt: number) => Promise<void>,
): void {
  describe(`${name}: stored raw, read back upgraded`, () => {
    it('every older shape is read back as the current envelope; a newer one is refused', async () => {
      const store = open();
      for (let i = 0; i < shapes(sampleEnvelope()).length; i++) {
        const envelope = sampleEnvelope({ key: `web:shape-${i}` });
        const shape = shapes(envelope)[i] as ReturnType<typeof shapes>[number];
        await putRaw(store, envelope.key, shape.raw, envelope.expiresAt);
        expect(await readBack(store, envelope.key), shape.name).toEqual({
          ok: true,
          envelope,
          ...(shape.legacyTranscript ? { legacyTranscript: shape.legacyTranscript } : {}),
        });
      }
      const newer = sampleEnvelope({ key: 'web:newer' });
      await putRaw(store, newer.key, { v: NEWER, ...newer }, newer.expiresAt);
      expect(await readBack(store, newer.key)).toEqual({ ok: false, reason: newerReason });
      await store.close();
    });

    it('the runtime discards a newer envelope like a corrupt one, logs why, and goes on', async () => {
      const store = open();
      const key = 'telegram:42';
      const newer = sampleEnvelope({ key, channel: 'telegram', userRef: '42' });
      await putRaw(store, key, { v: NEWER, ...newer, snapshot: { n: 99 } }, newer.expiresAt);
      const { runtime, logger } = setup(store);
      const result = await runtime.turn(key, { type: 'text', text: 'bonjour' }, telegramCtx);
      expect(result.outcome).toBe('ok');
      expect(logger.lines).toContainEqual({
        level: 'warn',
        obj: expect.objectContaining({ code: 'envelope-discarded', reason: newerReason }),
        msg: 'stored conversation discarded',
      });
      // Written again by this release, at its version.
      const again = await readBack(store, key);
      expect(again.ok).toBe(true);
      await runtime.close();
      await store.close();
    });
  });
}

let sqliteDir = '';
rawShapeTests(
  'SQLite',
  () => {
    sqliteDir = freshDir();
    return createSqliteStore({ dir: sqliteDir, recentConversations: 0 });
  },
  async (_store, key, raw, expiresAt) => {
    // A second connection writes the row as an older (or newer) release left it.
    const db = new Database(join(sqliteDir, SQLITE_FILE_NAME));
    const [channel = 'web', userRef = 'u'] = key.split(':');
    db.prepare(
      `INSERT OR REPLACE INTO conversations
         (key, channel, user_ref, revision, data, updated_at, expires_at)
       VALUES (?, ?, ?, 1, ?, 0, ?)`,
    ).run(key, channel, userRef, JSON.stringify(raw), expiresAt);
    db.close();
  },
);

it('SQLite: what the store writes carries the current version', async () => {
  const dir = freshDir();
  const store = createSqliteStore({ dir });
  const envelope = sampleEnvelope();
  await store.conversations.put(envelope, 0);
  await store.close();
  const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
  const data = db.prepare('SELECT data FROM conversations WHERE key = ?').pluck().get(envelope.key);
  db.close();
  expect(JSON.parse(String(data))).toEqual({ v: ENVELOPE_VERSION, ...envelope });
});

describe('memory: writes the current version, reads it back as the envelope', () => {
  it('puts and gets an envelope through the chain', async () => {
    const store = createMemoryStore();
    const envelope = sampleEnvelope();
    await store.conversations.put(envelope, 0);
    expect(await readBack(store, envelope.key)).toEqual({ ok: true, envelope });
    await store.close();
  });
});

const url = process.env.REDIS_TEST_URL;
if (!url) {
  describe('Redis: envelope versions', () => {
    it('needs a Redis server: set REDIS_TEST_URL', () => {
      throw new Error('Set REDIS_TEST_URL (see test/storage/redis.test.ts) to run these tests.');
    });
  });
} else {
  const prefix = `clic-env-test:${randomUUID().slice(0, 8)}:`;
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });
  let m = 0;
  let current = '';
  rawShapeTests(
    'Redis',
    () => {
      current = `${prefix}${++m}:`;
      return createRedisStore({ url, prefix: current });
    },
    async (_store, key, raw, expiresAt) => {
      const [channel = 'web', userRef = 'u'] = key.split(':');
      await admin.hset(`${current}conv:${key}`, {
        rev: 1,
        data: JSON.stringify(raw),
        exp: expiresAt,
        owner: `${channel}:${userRef}`,
      });
    },
  );

  it('Redis: what the store writes carries the current version', async () => {
    const p = `${prefix}written:`;
    const store = createRedisStore({ url, prefix: p });
    const envelope = sampleEnvelope();
    await store.conversations.put(envelope, 0);
    const data = await admin.hget(`${p}conv:${envelope.key}`, 'data');
    expect(JSON.parse(data ?? 'null')).toEqual({ v: ENVELOPE_VERSION, ...envelope });
    await store.close();
  });
}
