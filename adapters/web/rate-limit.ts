/**
 * A small fixed-window rate limiter behind an async port, so that the in-memory counters used
 * by one instance can later be swapped for shared Redis counters (SPEC §7) without touching the
 * routes. Memory stays bounded: expired windows are swept as the map grows.
 */

/** Outcome of one hit: allowed, or refused with the seconds to wait (`Retry-After`). */
export type RateDecision =
  | { readonly ok: true; readonly remaining: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** The port: count one hit for `key` in the current window. */
export interface RateLimiter {
  hit(key: string): Promise<RateDecision>;
}

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Hits allowed per window; 0 or less means no limit. */
  readonly limit: number;
  readonly windowMs?: number;
  readonly now?: () => number;
  /** Sweep expired windows once the map holds this many keys. */
  readonly sweepAt?: number;
}

/** An in-process limiter (one instance); `limit <= 0` allows everything. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sweepAt = options.sweepAt ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  const sweep = (t: number): void => {
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  };

  return {
    async hit(key) {
      if (options.limit <= 0) return { ok: true, remaining: Number.POSITIVE_INFINITY };
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        if (windows.size >= sweepAt) sweep(t);
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      if (w.count >= options.limit) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - t) / 1000)) };
      }
      w.count += 1;
      return { ok: true, remaining: options.limit - w.count };
    },
  };
}

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
        return { ok: true, remaining: Number.POSITIVE_INFINITY };
      }
    },
  };
}
