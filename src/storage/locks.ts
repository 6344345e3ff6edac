/**
 * In-process keyed locks with expiry and a fair queue, shared by the memory and SQLite stores
 * (one process owns an embedded database). A Redis store replaces this with SET NX PX locks.
 */
import { LockTimeoutError, type Release, StoreClosedError } from './types.js';

interface Waiter {
  readonly ttlMs: number;
  readonly resolve: (release: Release) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  held?: { readonly token: number; readonly timer: NodeJS.Timeout };
  readonly queue: Waiter[];
}

/** A set of keyed locks. */
export interface LockManager {
  lock(key: string, ttlMs: number, waitMs: number): Promise<Release>;
  /** Rejects every waiter and drops every lock. */
  close(): void;
}

/** Creates an in-process lock manager (fair FIFO waiting, automatic expiry after `ttlMs`). */
export function createLockManager(): LockManager {
  const slots = new Map<string, Slot>();
  let nextToken = 1;
  let closed = false;

  function grant(key: string, slot: Slot, ttlMs: number): Release {
    const token = nextToken++;
    const timer = setTimeout(() => handOff(key, token), ttlMs);
    timer.unref();
    slot.held = { token, timer };
    const release = async () => handOff(key, token);
    return Object.assign(release, {
      renew: async (ms: number) => {
        const held = slots.get(key)?.held;
        if (held?.token !== token) return false;
        clearTimeout(held.timer);
        const next = setTimeout(() => handOff(key, token), ms);
        next.unref();
        (slots.get(key) as Slot).held = { token, timer: next };
        return true;
      },
    });
  }

  function handOff(key: string, token: number): void {
    const slot = slots.get(key);
    if (!slot || slot.held?.token !== token) return; // released already, or expired
    clearTimeout(slot.held.timer);
    slot.held = undefined;
    const next = slot.queue.shift();
    if (next) {
      if (next.timer) clearTimeout(next.timer);
      next.resolve(grant(key, slot, next.ttlMs));
    } else {
      slots.delete(key);
    }
  }

  return {
    lock(key, ttlMs, waitMs) {
      if (closed) return Promise.reject(new StoreClosedError());
      let slot = slots.get(key);
      if (!slot) {
        slot = { queue: [] };
        slots.set(key, slot);
      }
      if (!slot.held) return Promise.resolve(grant(key, slot, ttlMs));
      const owner = slot;
      return new Promise<Release>((resolve, reject) => {
        const waiter: Waiter = { ttlMs, resolve, reject };
        waiter.timer = setTimeout(() => {
          const at = owner.queue.indexOf(waiter);
          if (at >= 0) owner.queue.splice(at, 1);
          reject(new LockTimeoutError());
        }, waitMs);
        waiter.timer.unref();
        owner.queue.push(waiter);
      });
    },
    close() {
      closed = true;
      for (const slot of slots.values()) {
        if (slot.held) clearTimeout(slot.held.timer);
        for (const waiter of slot.queue) {
          if (waiter.timer) clearTimeout(waiter.timer);
          waiter.reject(new StoreClosedError());
        }
      }
      slots.clear();
    },
  };
}
