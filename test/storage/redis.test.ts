/**
 * The Redis store (SPEC §7: « Several instances: Redis when REDIS_URL is set … any number of
 * stateless instances behind a load balancer, no sticky sessions »). It passes the same contract
 * as the embedded stores, then two store instances on one Redis stand for two server instances:
 * locks, compare-and-set, de-duplication and erasure hold across them.
 *
 * Needs a Redis server at REDIS_TEST_URL (CI starts one on 127.0.0.1:6391). Locally:
 *   redis-server --port 6391 --save '' --appendonly no --daemonize yes
 *   REDIS_TEST_URL=redis://127.0.0.1:6391 npx vitest run test/storage/redis.test.ts
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../adapters/web/rate-limit.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import type { Envelope } from '../../src/storage/envelope.js';
import { createRedisStore, type RedisStore } from '../../src/storage/redis.js';
import { LockTimeoutError, type Store } from '../../src/storage/types.js';
import { type CounterSnapshot, createCounterEngine } from '../runtime/fake-engine.js';
import { createRecordingLogger, telegramCtx } from '../runtime/helpers.js';
import { runStoreContract, sampleEnvelope } from './contract.js';
import { runRateLimiterContract } from './contract-rate-limit.js';

const url = process.env.REDIS_TEST_URL;
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!url) {
  describe('Redis store', () => {
    it('needs a Redis server: set REDIS_TEST_URL', () => {
      throw new Error(
        'The Redis store tests need a Redis server: install redis-server (npm test then starts one), or start one with ' +
          "`redis-server --port 6391 --save '' --appendonly no --daemonize yes` and run with " +
          'REDIS_TEST_URL=redis://127.0.0.1:6391 (CI sets it).',
      );
    });
  });
} else {
  const redisUrl = url;
  /** Every key this run writes starts with this; removed at the end. */
  const runPrefix = `clic-test:${randomUUID().slice(0, 8)}:`;
  let n = 0;
  const freshPrefix = () => `${runPrefix}${++n}:`;
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });

  async function keysUnder(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found.sort();
  }

  beforeAll(async () => {
    expect(await admin.ping()).toBe('PONG');
  });
  afterAll(async () => {
    const left = await keysUnder(runPrefix);
    if (left.length > 0) await admin.del(...left);
    await admin.quit();
  });

  runStoreContract('redis', () => createRedisStore({ url: redisUrl, prefix: freshPrefix() }));

  describe('Redis rate limiter', () => {
    const limiterStores: RedisStore[] = [];
    afterAll(async () => {
      await Promise.all(limiterStores.map((s) => s.close()));
    });
    runRateLimiterContract('redis', (options) => {
      const store = createRedisStore({ url: redisUrl, prefix: freshPrefix() });
      limiterStores.push(store);
      return store.rateLimiter({ name: 'web-ip', ...options });
    });
  });

  describe('Redis store specifics', () => {
    const opened: Store[] = [];
    /** Two instances of the app = two stores, each with its own connection, on one Redis. */
    function instances(count = 2, prefix = freshPrefix()): RedisStore[] {
      const stores = Array.from({ length: count }, () =>
        createRedisStore({ url: redisUrl, prefix }),
      );
      opened.push(...stores);
      return stores;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('reports its kind for logs and /readyz', () => {
      const [a] = instances(1);
      expect(a?.kind).toBe('redis');
    });

    it('a lock held by one instance excludes the other until released', async () => {
      const [a, b] = instances();
      const releaseA = await a!.coordination.lock('telegram:42', 5000, 100);
      await expect(b!.coordination.lock('telegram:42', 5000, 80)).rejects.toBeInstanceOf(
        LockTimeoutError,
      );
      const waiting = b!.coordination.lock('telegram:42', 5000, 2000);
      await sleep(30);
      await releaseA();
      const started = Date.now();
      const releaseB = await waiting;
      expect(Date.now() - started).toBeLessThan(500);
      // Now A is the one kept out.
      await expect(a!.coordination.lock('telegram:42', 5000, 60)).rejects.toBeInstanceOf(
        LockTimeoutError,
      );
      await releaseB();
    });

    it('waiters on two instances are served in arrival order (first come, first served)', async () => {
      const [a, b] = instances();
      const first = await a!.coordination.lock('web:q', 5000, 3000);
      const served: string[] = [];
      const waiters: Promise<void>[] = [];
      for (const [name, store] of [
        ['b1', b!],
        ['a1', a!],
        ['b2', b!],
        ['a2', a!],
      ] as const) {
        waiters.push(
          store.coordination.lock('web:q', 5000, 3000).then(async (release) => {
            served.push(name);
            await sleep(5);
            await release();
          }),
        );
        await sleep(15); // each one has queued before the next arrives
      }
      await first();
      await Promise.all(waiters);
      expect(served).toEqual(['b1', 'a1', 'b2', 'a2']);
    });

    it('a lock held by a crashed instance expires after its ttl and the other takes over', async () => {
      const prefix = freshPrefix();
      const crashing = new Redis(redisUrl);
      const doomed = createRedisStore({ client: crashing, prefix });
      const [survivor] = instances(1, prefix);
      await doomed.coordination.lock('slack:T1:C1', 150, 100); // never released
      crashing.disconnect(); // the instance dies without a word
      const started = Date.now();
      const release = await survivor!.coordination.lock('slack:T1:C1', 5000, 3000);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(100);
      expect(waited).toBeLessThan(1500);
      await release();
    });

    it('a waiter that gives up does not hold the queue for the others', async () => {
      const [a, b] = instances();
      const held = await a!.coordination.lock('web:g', 5000, 100);
      await expect(b!.coordination.lock('web:g', 5000, 40)).rejects.toBeInstanceOf(
        LockTimeoutError,
      );
      await held();
      const started = Date.now();
      const again = await a!.coordination.lock('web:g', 5000, 2000);
      expect(Date.now() - started).toBeLessThan(200);
      await again();
    });

    it('compare-and-set holds across instances: of two writers on one revision, one wins', async () => {
      const [a, b] = instances();
      await a!.conversations.put(sampleEnvelope(), 0);
      const readA = await a!.conversations.get('web:conv-1');
      const readB = await b!.conversations.get('web:conv-1');
      expect(readA?.revision).toBe(1);
      expect(readB?.revision).toBe(1);
      expect(await a!.conversations.put(sampleEnvelope({ revision: 2, flowId: 'a' }), 1)).toBe(
        true,
      );
      expect(await b!.conversations.put(sampleEnvelope({ revision: 2, flowId: 'b' }), 1)).toBe(
        false,
      );
      const stored = await b!.conversations.get('web:conv-1');
      expect((stored?.data as Envelope | undefined)?.flowId).toBe('a');

      // Twenty simultaneous writers on revision 2, spread over both: exactly one succeeds.
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a! : b!).conversations.put(sampleEnvelope({ revision: 3, flowId: `w${i}` }), 2),
        ),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await a!.conversations.get('web:conv-1'))?.revision).toBe(3);
    });

    it('50 concurrent turns through two runtimes on one conversation are each applied exactly once', async () => {
      const [a, b] = instances();
      const logger = createRecordingLogger();
      const runtimes = [a!, b!].map((store) =>
        createRuntime({ engine: createCounterEngine(), store, logger, retentionDays: 30 }),
      );
      const key = 'telegram:42';
      const words = Array.from({ length: 50 }, (_, i) => `message ${i}`);
      const results = await Promise.all(
        words.map((text, i) => runtimes[i % 2]!.turn(key, { type: 'text', text }, telegramCtx)),
      );
      expect(results.map((r) => r.outcome)).toEqual(words.map(() => 'ok'));
      // Every turn saw a different counter value: none lost, none doubled.
      const counts = results.map((r) =>
        Number(/Compteur : (\d+)/.exec(r.replies.at(-1)?.text ?? '')?.[1]),
      );
      expect([...counts].sort((x, y) => x - y)).toEqual(words.map((_, i) => i + 1));
      const record = await a!.conversations.get(key);
      const snapshot = (record?.data as Envelope | undefined)?.snapshot as CounterSnapshot;
      expect(record?.revision).toBe(50);
      expect(snapshot.count).toBe(50);
      expect([...snapshot.seen].sort()).toEqual([...words].sort());
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      await Promise.all(runtimes.map((r) => r.close()));
    });

    it('a Telegram update delivered twice, to each instance, is handled once', async () => {
      const [a, b] = instances();
      expect(await a!.coordination.markSeen('telegram:update:9001', HOUR)).toBe(true);
      expect(await b!.coordination.markSeen('telegram:update:9001', HOUR)).toBe(false);
    });

    it('an idempotent web reply remembered on one instance is replayed by the other', async () => {
      const [a, b] = instances();
      await a!.coordination.remember('idem:web:c1:m1', [{ text: 'Bonjour' }], HOUR, {
        channel: 'web',
        userRef: 'c1',
      });
      expect(await b!.coordination.recall('idem:web:c1:m1')).toEqual([{ text: 'Bonjour' }]);
    });

    it('« oublier mes données » on one instance leaves no key of that user in Redis', async () => {
      const prefix = freshPrefix();
      const [a, b] = instances(2, prefix);
      const mine = { channel: 'telegram', userRef: '42' } as const;
      await a!.conversations.put(sampleEnvelope({ key: 'telegram:42', ...mine }), 0);
      await b!.conversations.put(sampleEnvelope({ key: 'telegram:43', ...mine }), 0);
      await a!.coordination.remember('idem:telegram:42:m1', ['réponse'], HOUR, mine);
      await b!.conversations.put(
        sampleEnvelope({ key: 'telegram:7', channel: 'telegram', userRef: '7' }),
        0,
      );
      expect(await b!.conversations.deleteByUser('telegram', '42')).toBe(2);
      const left = await keysUnder(prefix);
      // (the random prefix itself may contain « :42 »: only what follows it is looked at)
      const mineLeft = left.map((key) => key.slice(prefix.length)).filter((k) => k.includes(':42'));
      expect(mineLeft).toEqual([]);
      expect(left).toContain(`${prefix}conv:telegram:7`);
      expect(await a!.conversations.get('telegram:7')).toBeDefined();
    });

    it('a conversation key carries a Redis TTL ending at its expiresAt, and so does the user index', async () => {
      const prefix = freshPrefix();
      const [a] = instances(1, prefix);
      const expiresAt = Date.now() + 10 * 60_000;
      await a!.conversations.put(sampleEnvelope({ expiresAt }), 0);
      const ttl = await admin.pttl(`${prefix}conv:web:conv-1`);
      expect(ttl).toBeGreaterThan(10 * 60_000 - 5_000);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000);
      expect(await admin.pttl(`${prefix}user:web:user-1`)).toBeGreaterThanOrEqual(ttl - 1000);
      await a!.coordination.markSeen('slack:event:Ev9', 30_000);
      const seenTtl = await admin.pttl(`${prefix}seen:slack:event:Ev9`);
      expect(seenTtl).toBeGreaterThan(25_000);
      expect(seenTtl).toBeLessThanOrEqual(30_000);
    });

    it('purgeExpired tidies user index entries whose conversation Redis already expired', async () => {
      const prefix = freshPrefix();
      const [a] = instances(1, prefix);
      await a!.conversations.put(sampleEnvelope({ key: 'web:gone' }), 0);
      await a!.conversations.put(sampleEnvelope({ key: 'web:kept' }), 0);
      await admin.del(`${prefix}conv:web:gone`); // as if Redis had expired it
      expect(await a!.conversations.purgeExpired(Date.now())).toBe(0);
      expect(await admin.smembers(`${prefix}user:web:user-1`)).toEqual([`${prefix}conv:web:kept`]);
      expect(await a!.conversations.get('web:kept')).toBeDefined();
    });

    it('hands back undecodable data as is, for the runtime to discard', async () => {
      const prefix = freshPrefix();
      const [a] = instances(1, prefix);
      await a!.conversations.put(sampleEnvelope(), 0);
      await admin.hset(`${prefix}conv:web:conv-1`, 'data', '{not json');
      expect(await a!.conversations.get('web:conv-1')).toEqual({
        key: 'web:conv-1',
        revision: 1,
        data: '{not json',
      });
    });

    it('web rate-limit counters are shared: the limit holds across instances (SPEC §7)', async () => {
      const [a, b] = instances();
      // Typed as the web channel's port: the server can pass it in place of the memory limiter.
      const perIpA: RateLimiter = a!.rateLimiter({ name: 'web-ip', limit: 3, windowMs: 300 });
      const perIpB: RateLimiter = b!.rateLimiter({ name: 'web-ip', limit: 3, windowMs: 300 });
      expect(await perIpA.hit('203.0.113.9')).toEqual({ ok: true, remaining: 2 });
      expect(await perIpB.hit('203.0.113.9')).toEqual({ ok: true, remaining: 1 });
      expect(await perIpA.hit('203.0.113.9')).toEqual({ ok: true, remaining: 0 });
      expect(await perIpB.hit('203.0.113.9')).toEqual({ ok: false, retryAfterSeconds: 1 });
      // Another address has its own counter.
      expect(await perIpB.hit('198.51.100.4')).toEqual({ ok: true, remaining: 2 });
      await sleep(350); // the window is over
      expect(await perIpB.hit('203.0.113.9')).toEqual({ ok: true, remaining: 2 });
    });

    it('a rate limit of 0 lets everything through (WEB_RATE_LIMIT_PER_MINUTE=0 = off)', async () => {
      const [a] = instances(1);
      const off = a!.rateLimiter({ name: 'web-ip', limit: 0 });
      for (let i = 0; i < 5; i++) expect((await off.hit('203.0.113.9')).ok).toBe(true);
    });

    it('does not quit a client it was given; the owner closes it', async () => {
      const client = new Redis(redisUrl);
      const store = createRedisStore({ client, prefix: freshPrefix() });
      expect(await store.ready()).toBe(true);
      await store.close();
      expect(await store.ready()).toBe(false);
      expect(await client.ping()).toBe('PONG');
      await client.quit();
    });

    it('is not ready when Redis cannot be reached (/readyz says so)', async () => {
      const store = createRedisStore({
        url: 'redis://127.0.0.1:1',
        prefix: freshPrefix(),
        readyTimeoutMs: 300,
      });
      expect(await store.ready()).toBe(false);
      await store.close();
    });
  });
}
