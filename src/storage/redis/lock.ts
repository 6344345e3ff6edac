/**
 * The Redis store's fair lock: `lock:{key}` is `SET token NX PX ttl`, a lease the holder renews
 * while its turn runs (`renew`), released only by its holder (compare-and-delete): a dead
 * instance's lock frees itself within the lease. Waiters queue fairly across instances in
 * `lockq:{key}` (arrival order) and `lockw:{key}` (a lease each waiter renews by polling, so a
 * crashed waiter leaves the queue by itself); waiters of this instance are woken at once when a
 * lock of this instance is released.
 */
import { randomUUID } from 'node:crypto';
import type { Release } from '../coordination.js';
import { LockTimeoutError, StoreUnavailableError } from '../types.js';
import { ms, type RedisContext } from './context.js';

/** A local lock waiter; `wake` cuts its pause short (a lock of this instance was released). */
interface Waiter {
  wake: () => void;
  /** Set when woken while not pausing, so that the next pause is skipped. */
  kicked: boolean;
}

function createWaiter(): Waiter {
  const waiter: Waiter = {
    kicked: false,
    wake: () => {
      waiter.kicked = true;
    },
  };
  return waiter;
}

function pause(ms: number, waiter: Waiter): Promise<void> {
  if (waiter.kicked) {
    waiter.kicked = false;
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      waiter.kicked = false;
      waiter.wake = () => {
        waiter.kicked = true;
      };
      resolve();
    }
    waiter.wake = done;
  });
}

/** Options of {@link createRedisLocks}. */
export interface RedisLockOptions {
  /** Longest pause between two attempts of a waiter, in ms. */
  readonly pollMaxMs: number;
}

/** The store's side of its locks. */
export interface RedisLocks {
  lock(key: string, ttlMs: number, waitMs: number): Promise<Release>;
  /** Closing: the waiters of this instance leave the shared queue (so others are not held up). */
  leaveAll(): Promise<void>;
  /** Closed: wakes every local waiter, which then rejects with StoreClosedError. */
  wakeAll(): void;
}

/** Creates the locks of one store's connection. */
export function createRedisLocks(ctx: RedisContext, options: RedisLockOptions): RedisLocks {
  const { k, run, scripts } = ctx;
  const pollMaxMs = Math.max(5, options.pollMaxMs);
  const pollMinMs = Math.min(5, pollMaxMs);
  const leaseMs = Math.max(1000, pollMaxMs * 20);
  /** Local lock waiters by key: woken at once when a lock of this instance is released. */
  const waiters = new Map<string, Map<Waiter, string>>();

  function wakeLocal(key: string): void {
    for (const waiter of waiters.get(key)?.keys() ?? []) waiter.wake();
  }

  async function leave(key: string, token: string): Promise<void> {
    await run(scripts.leave, [k.queue(key), k.leases(key)], [token]);
  }

  function holder(key: string, token: string): Release {
    let released = false;
    const release = async () => {
      if (released || ctx.isClosed()) return;
      released = true;
      await run(scripts.unlock, [k.lock(key)], [token]);
      wakeLocal(key);
    };
    return Object.assign(release, {
      renew: async (ttlMs: number) => {
        if (released || ctx.isClosed()) return false;
        return (await run(scripts.renew, [k.lock(key)], [token, ms(ttlMs)])) === 1;
      },
    });
  }

  async function lock(key: string, ttlMs: number, waitMs: number): Promise<Release> {
    ctx.open();
    if (ctx.down()) throw new StoreUnavailableError();
    const token = randomUUID();
    const deadline = Date.now() + Math.max(0, waitMs);
    const keys = [k.lock(key), k.queue(key), k.leases(key), k.seq(key)];
    const args = [token, ms(ttlMs), leaseMs];
    const waiter = createWaiter();
    let local = waiters.get(key);
    if (!local) {
      local = new Map();
      waiters.set(key, local);
    }
    local.set(waiter, token);
    let interval = pollMinMs;
    try {
      for (;;) {
        let got: unknown;
        try {
          got = await run(scripts.acquire, keys, args);
        } catch (error) {
          if (ctx.isClosed()) throw await ctx.closedError();
          await leave(key, token).catch(() => undefined);
          throw error;
        }
        if (ctx.isClosed()) {
          if (got === 1) void run(scripts.unlock, [k.lock(key)], [token]).catch(() => undefined);
          throw await ctx.closedError();
        }
        if (got === 1) return holder(key, token);
        const left = deadline - Date.now();
        if (left <= 0) {
          await leave(key, token).catch(() => undefined);
          throw new LockTimeoutError();
        }
        await pause(Math.min(left, interval * (0.8 + 0.4 * Math.random())), waiter);
        if (ctx.isClosed()) throw await ctx.closedError();
        interval = Math.min(pollMaxMs, interval * 2);
      }
    } finally {
      local.delete(waiter);
      if (local.size === 0 && waiters.get(key) === local) waiters.delete(key);
    }
  }

  return {
    lock,
    async leaveAll() {
      const pending = [...waiters].flatMap(([key, local]) =>
        [...local.values()].map((token) => ({ key, token })),
      );
      await Promise.allSettled(pending.map((w) => leave(w.key, w.token)));
    },
    wakeAll() {
      for (const local of waiters.values()) for (const waiter of local.keys()) waiter.wake();
    },
  };
}
