/**
 * The rate limiter contract (src/storage/rate-limit.ts): the in-process limiter and the Redis
 * store's shared counters count and answer the same way. Real clock, short windows.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/storage/rate-limit.js';
import { sleep } from './contract-harness.js';

/** Makes a fresh limiter (its own counters) for one test. */
export type RateLimiterFactory = (options: {
  readonly limit: number;
  readonly windowMs: number;
}) => Promise<RateLimiter> | RateLimiter;

/** Registers the rate limiter contract for one implementation. */
export function runRateLimiterContract(name: string, factory: RateLimiterFactory): void {
  describe(`rate limiter contract: ${name}`, () => {
    it('allows `limit` hits per key and window, counting down, then refuses with the wait', async () => {
      const limiter = await factory({ limit: 3, windowMs: 60_000 });
      expect(await limiter.hit('203.0.113.9')).toEqual({ ok: true, remaining: 2 });
      expect(await limiter.hit('203.0.113.9')).toEqual({ ok: true, remaining: 1 });
      expect(await limiter.hit('203.0.113.9')).toEqual({ ok: true, remaining: 0 });
      expect(await limiter.hit('203.0.113.9')).toEqual({ ok: false, retryAfterSeconds: 60 });
      // A refused hit does not push the end of the window back.
      expect(await limiter.hit('203.0.113.9')).toEqual({ ok: false, retryAfterSeconds: 60 });
    });

    it('each key has its own counter', async () => {
      const limiter = await factory({ limit: 1, windowMs: 60_000 });
      expect((await limiter.hit('a')).ok).toBe(true);
      expect(await limiter.hit('a')).toEqual({ ok: false, retryAfterSeconds: 60 });
      expect(await limiter.hit('b')).toEqual({ ok: true, remaining: 0 });
    });

    it('waits at least one second, and allows again once the window is over', async () => {
      const limiter = await factory({ limit: 1, windowMs: 200 });
      expect((await limiter.hit('k')).ok).toBe(true);
      expect(await limiter.hit('k')).toEqual({ ok: false, retryAfterSeconds: 1 });
      await sleep(260);
      expect(await limiter.hit('k')).toEqual({ ok: true, remaining: 0 });
    });

    it('a limit of 0 lets everything through (WEB_RATE_LIMIT_PER_MINUTE=0 = off)', async () => {
      const limiter = await factory({ limit: 0, windowMs: 60_000 });
      for (let i = 0; i < 5; i++) {
        expect(await limiter.hit('k')).toEqual({ ok: true, remaining: Number.POSITIVE_INFINITY });
      }
    });
  });
}
