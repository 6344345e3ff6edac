/**
 * Observatory records on Redis across instances (SPEC §7: several instances share one Redis); the
 * port contract runs in test/storage/redis.test.ts. Needs a
 * Redis server at REDIS_TEST_URL, like test/storage/redis.test.ts; without one this file says so.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/storage/redis.js';
import { rec } from './helpers.js';

const url = process.env.REDIS_TEST_URL;

if (!url) {
  describe('observatory records on Redis', () => {
    it('needs a Redis server: set REDIS_TEST_URL', () => {
      throw new Error('Set REDIS_TEST_URL (see test/storage/redis.test.ts) to run these tests.');
    });
  });
} else {
  const runPrefix = `clic-obs-test:${randomUUID().slice(0, 8)}:`;
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    const keys = await admin.keys(`${runPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  describe('Redis specifics', () => {
    it('two instances on one Redis see the same records, and erasure on one is seen by the other', async () => {
      const prefix = `${runPrefix}shared:`;
      const one = createRedisStore({ url, prefix });
      const two = createRedisStore({ url, prefix });
      const a = rec({ user: 'a' });
      await one.records.put(a);
      expect(await two.records.listByTown('sens')).toEqual([a]);
      expect(await two.records.deleteByIdentity(a.identity)).toBe(1);
      expect(await one.records.listByTown('Sens')).toEqual([]);
      expect(await admin.keys(`${prefix}obs:id:*`)).toEqual([]);
      await one.close();
      await two.close();
    });
  });
}
