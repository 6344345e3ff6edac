/**
 * The rate limiter port — one fixed-window counter per key — and its in-process implementation.
 * The Redis store implements the same port with counters every instance shares (SPEC §7:
 * `RedisStore.rateLimiter`); the web channel takes either. Both decide with {@link decideHit},
 * so that a hit is counted and answered the same way wherever the counter lives. Memory stays
 * bounded: expired windows are swept as the map grows.
 */

/** Outcome of one hit: allowed, or refused with the seconds to wait (`Retry-After`). */
export type RateDecision =
  | { readonly ok: true; readonly remaining: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** The port: count one hit for `key` in the current window. */
export interface RateLimiter {
  hit(key: string): Promise<RateDecision>;
}

/** What a limiter with no limit answers (`limit <= 0`). */
export const UNLIMITED: RateDecision = { ok: true, remaining: Number.POSITIVE_INFINITY };

/**
 * The decision for the `count`-th hit of a window with `msLeft` to run: allowed up to `limit`,
 * then refused until the window ends (at least one second).
 */
export function decideHit(limit: number, count: number, msLeft: number): RateDecision {
  if (count <= limit) return { ok: true, remaining: limit - count };
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Hits allowed per window; 0 or less means no limit. */
  readonly limit: number;
  /** Window length in ms. Default 60 000. */
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
      if (options.limit <= 0) return UNLIMITED;
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        if (windows.size >= sweepAt) sweep(t);
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      // A refused hit is not counted: the window's count stops one past the limit.
      const decision = decideHit(options.limit, w.count + 1, w.resetAt - t);
      if (decision.ok) w.count += 1;
      return decision;
    },
  };
}
