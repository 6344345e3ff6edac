/**
 * Two deployments on one Redis (issue 20): each runtime writes under its own REDIS_KEY_PREFIX, so
 * the same Telegram chat, the same update id and the same erasure request stay inside one town.
 * And a dead instance's lock: its lease is no longer renewed, so the conversation is free again
 * within about 3 s and the waiting turn goes through instead of failing.
 *
 * Real Redis at REDIS_TEST_URL (test/global-setup.ts starts one), as the Redis store tests.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultRedisKeyPrefix } from '../../src/config.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { TurnContext } from '../../src/runtime/types.js';
import { createRedisStore, type RedisStore } from '../../src/storage/redis.js';

const url = process.env.REDIS_TEST_URL;
if (!url) throw new Error('These tests need a Redis server: set REDIS_TEST_URL (npm test does).');
const redisUrl = url;

/** Every key of this file starts with it; removed at the end. */
const runPrefix = `clic-test:${randomUUID().slice(0, 8)}:`;
const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const opened: { store: RedisStore; runtime: Runtime }[] = [];
const logger = createLogger({ level: 'silent' });

/** One deployment: a store under `prefix` and a runtime with the real dialogues. */
function deployment(prefix: string): { store: RedisStore; runtime: Runtime } {
  const store = createRedisStore({ url: redisUrl, prefix: `${runPrefix}${prefix}` });
  const runtime = createRuntime({ engine: createDialogueEngine(), store, logger });
  const made = { store, runtime };
  opened.push(made);
  return made;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

afterEach(async () => {
  for (const { runtime, store } of opened.splice(0)) {
    await runtime.close();
    await store.close();
  }
});
afterAll(async () => {
  const left = await keysUnder(runPrefix);
  if (left.length > 0) await admin.del(...left);
  await admin.quit();
});

const BOT = '7012345678';
const KEY = `telegram:${BOT}:42`;
const ctx = (): TurnContext => ({ channel: 'telegram', userRef: `${BOT}:42`, now: new Date() });

describe('two deployments on one Redis (REDIS_KEY_PREFIX)', () => {
  it('see nothing of each other: conversations, outbox ids, de-duplication', async () => {
    const sens = deployment(defaultRedisKeyPrefix('Sens'));
    const dole = deployment(defaultRedisKeyPrefix('Dole'));
    const outbox = { id: `telegram:${BOT}:update:9001` };

    const a = await sens.runtime.turn(KEY, { type: 'text', text: 'diagnostic' }, ctx(), {
      outbox,
    });
    expect(a.outcome).toBe('ok');
    expect(await dole.store.conversations.get(KEY)).toBeUndefined();
    // The same update id in the other town is a new update there, not a duplicate.
    const b = await dole.runtime.turn(KEY, { type: 'start' }, ctx(), { outbox });
    expect(b.outcome).toBe('ok');
    expect(b.delivery?.sent).toBe(0);
    expect(await sens.store.coordination.markSeen('telegram:update:1', 60_000)).toBe(true);
    expect(await dole.store.coordination.markSeen('telegram:update:1', 60_000)).toBe(true);

    // Each town's conversation is its own: Sens's diagnostic did not leak into Dole.
    const inSens = (await sens.store.conversations.get(KEY))?.data as { snapshot: unknown };
    const inDole = (await dole.store.conversations.get(KEY))?.data as { snapshot: unknown };
    expect(inSens.snapshot).not.toEqual(inDole.snapshot);
    const sensKeys = await keysUnder(`${runPrefix}clic:sens:`);
    const doleKeys = await keysUnder(`${runPrefix}clic:dole:`);
    expect(sensKeys.length).toBeGreaterThan(0);
    expect(doleKeys.length).toBeGreaterThan(0);
  });

  it('erasure (/oubli) in one town leaves the other intact', async () => {
    const auxerre = deployment(defaultRedisKeyPrefix('Auxerre'));
    const nevers = deployment(defaultRedisKeyPrefix('Nevers'));
    await auxerre.runtime.turn(KEY, { type: 'start' }, ctx());
    await nevers.runtime.turn(KEY, { type: 'start' }, ctx(), {
      outbox: { id: `telegram:${BOT}:update:9002` },
    });
    expect(await nevers.runtime.forget('telegram', `${BOT}:42`)).toBe(1);
    expect(await nevers.store.conversations.get(KEY)).toBeUndefined();
    expect(await nevers.store.outbox.claim(`telegram:${BOT}:update:9002`, 10)).toEqual({
      state: 'absent',
    });
    expect((await auxerre.store.conversations.get(KEY))?.revision).toBe(1);
    expect(await keysUnder(`${runPrefix}clic:nevers:conv:`)).toEqual([]);
  });
});

describe('a lock holder that died mid-turn', () => {
  it('stops renewing its lease: the next turn on that conversation succeeds within about 3 s', async () => {
    const prefix = `${runPrefix}lease:`;
    const dying = new Redis(redisUrl);
    const holder = createRedisStore({ client: dying, prefix });
    // The dead instance's turn took the conversation's lock with the runtime's 3 s lease…
    await holder.coordination.lock(KEY, 3000, 100);
    // …and died: no renewal, no release.
    dying.disconnect();
    const { runtime } = deployment('lease:');
    const started = Date.now();
    const result = await runtime.turn(KEY, { type: 'start' }, ctx());
    const waited = Date.now() - started;
    expect(result.outcome).toBe('ok');
    expect(waited).toBeLessThan(3800);
    await holder.close();
  });

  it('a live holder renews its lease: a turn longer than the lease keeps its lock', async () => {
    const { store } = deployment('renew:');
    const held = await store.coordination.lock(KEY, 300, 100);
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await held.renew(300)).toBe(true);
    }
    await expect(store.coordination.lock(KEY, 300, 50)).rejects.toThrow();
    await held();
  });
});
