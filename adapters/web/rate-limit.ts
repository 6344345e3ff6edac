/**
 * The web channel's rate limiting: the port and the in-process limiter are the storage's
 * (src/storage/rate-limit.ts, re-exported here), shared with the Redis store's counters; what is
 * the channel's own is {@link failOpen}, its answer to a limiter it cannot reach.
 */
import { type RateLimiter, UNLIMITED } from '../../src/storage/rate-limit.js';

export {
  createMemoryRateLimiter,
  type MemoryRateLimiterOptions,
  type RateDecision,
  type RateLimiter,
} from '../../src/storage/rate-limit.js';

/**
 * A limiter that fails open (issue 20): while its counters cannot be reached (Redis away), every
 * hit is allowed — a store outage must not turn every request into an error — and `onError` is
 * told (a warning log, a metric), at most once per `quietMs` (default 10 s) for the log.
 */
export function failOpen(
  limiter: RateLimiter,
  onError: (error: unknown, report: boolean) => void,
  options: { readonly quietMs?: number; readonly now?: () => number } = {},
): RateLimiter {
  const quietMs = options.quietMs ?? 10_000;
  const now = options.now ?? Date.now;
  let lastReport = Number.NEGATIVE_INFINITY;
  return {
    async hit(key) {
      try {
        return await limiter.hit(key);
      } catch (error) {
        const report = now() - lastReport >= quietMs;
        if (report) lastReport = now();
        onError(error, report);
        return UNLIMITED;
      }
    },
  };
}
