/**
 * The rate limiter port (../rate-limit.ts) on Redis: a fixed-window counter per key that every
 * instance shares (SPEC §7), `rate:{name}:{key}`, counted by one script; the decision is the
 * in-process limiter's ({@link decideHit}).
 */
import { decideHit, type RateLimiter, UNLIMITED } from '../rate-limit.js';
import { ms, type RedisContext } from './context.js';

/** Options of `RedisStore.rateLimiter`. */
export interface RedisRateLimiterOptions {
  /** Names the counter family (`web-ip`, `web-conversation`…), part of the Redis key. */
  readonly name: string;
  /** Hits allowed per window; 0 or less means no limit. */
  readonly limit: number;
  /** Window length in ms. Default 60 000. */
  readonly windowMs?: number;
}

/** A limiter whose counters live in the store's Redis; it stops working once the store closes. */
export function createRedisRateLimiter(
  ctx: RedisContext,
  limiter: RedisRateLimiterOptions,
): RateLimiter {
  const { k, guard, run, scripts } = ctx;
  const windowMs = ms(limiter.windowMs ?? 60_000);
  return {
    hit(key) {
      if (limiter.limit <= 0) return Promise.resolve(UNLIMITED);
      return guard(async () => {
        const reply = await run(scripts.rateHit, [k.rate(limiter.name, key)], [windowMs]);
        const [count, left] = Array.isArray(reply) ? reply.map(Number) : [];
        if (count === undefined || left === undefined) throw new Error('unexpected reply');
        return decideHit(limiter.limit, count, left);
      });
    },
  };
}
