/**
 * The coordination port contract (`Store.coordination`): locks (fair, expiring, renewable),
 * de-duplication, idempotency memos, and what closing the store does to them — the same on every
 * backend (memory, SQLite, Redis). Timings use the real clock.
 */
import { describe, expect, it } from 'vitest';
import { LockTimeoutError, StoreClosedError } from '../../src/storage/types.js';
import { HOUR, openStores, type StoreFactory, sleep } from './contract-harness.js';

/** Registers the coordination contract (and the store's lifecycle) for one backend. */
export function runCoordinationContract(name: string, factory: StoreFactory): void {
  describe(`coordination contract: ${name}`, () => {
    const open = openStores(factory);

    describe('locks', () => {
      it('a second holder waits until the first releases', async () => {
        const store = await open();
        const order: string[] = [];
        const release1 = await store.coordination.lock('web:k', 5000, 1000);
        const second = store.coordination.lock('web:k', 5000, 1000).then((release) => {
          order.push('second acquired');
          return release;
        });
        await sleep(30);
        order.push('first releases');
        await release1();
        const release2 = await second;
        await release2();
        expect(order).toEqual(['first releases', 'second acquired']);
      });

      it('different keys do not block each other', async () => {
        const store = await open();
        const a = await store.coordination.lock('web:a', 5000, 100);
        const b = await store.coordination.lock('web:b', 5000, 100);
        await a();
        await b();
      });

      it('waiting callers are served in arrival order', async () => {
        const store = await open();
        const first = await store.coordination.lock('web:q', 5000, 2000);
        const served: number[] = [];
        const waiters = [1, 2, 3, 4].map((n) =>
          store.coordination.lock('web:q', 5000, 2000).then(async (release) => {
            served.push(n);
            await sleep(5);
            await release();
          }),
        );
        await sleep(20);
        await first();
        await Promise.all(waiters);
        expect(served).toEqual([1, 2, 3, 4]);
      });

      it('gives up with LockTimeoutError when the wait runs out', async () => {
        const store = await open();
        const held = await store.coordination.lock('web:busy', 5000, 100);
        await expect(store.coordination.lock('web:busy', 5000, 50)).rejects.toBeInstanceOf(
          LockTimeoutError,
        );
        await held();
      });

      it('expires: a holder that never releases (a crash) frees the lock after its ttl', async () => {
        const store = await open();
        await store.coordination.lock('web:crash', 80, 100); // never released
        const started = Date.now();
        const release = await store.coordination.lock('web:crash', 5000, 2000);
        expect(Date.now() - started).toBeGreaterThanOrEqual(50);
        await release();
      });

      it('a late release after expiry does not free the next holder’s lock', async () => {
        const store = await open();
        const stale = await store.coordination.lock('web:late', 60, 100);
        const current = await store.coordination.lock('web:late', 5000, 2000);
        await stale(); // too late: must be a no-op
        await expect(store.coordination.lock('web:late', 5000, 60)).rejects.toBeInstanceOf(
          LockTimeoutError,
        );
        await current();
      });
    });

    describe('lock leases', () => {
      it('a renewed lease outlives its first ttl; an unrenewed one frees the key', async () => {
        const store = await open();
        const held = await store.coordination.lock('web:lease', 150, 100);
        await sleep(100);
        expect(await held.renew(300)).toBe(true);
        await sleep(100);
        // 200 ms after taking a 150 ms lease: still held because it was renewed.
        await expect(store.coordination.lock('web:lease', 1000, 20)).rejects.toBeInstanceOf(
          LockTimeoutError,
        );
        // Nobody renews any more: the next caller gets it once the lease runs out.
        const next = await store.coordination.lock('web:lease', 1000, 2000);
        expect(await held.renew(1000)).toBe(false);
        await next();
      });
    });

    describe('de-duplication', () => {
      it('true the first time, false for the same id within the ttl', async () => {
        const store = await open();
        expect(await store.coordination.markSeen('telegram:update:1001', HOUR)).toBe(true);
        expect(await store.coordination.markSeen('telegram:update:1001', HOUR)).toBe(false);
        expect(await store.coordination.markSeen('telegram:update:1002', HOUR)).toBe(true);
      });

      it('the same id counts as new again once its ttl has passed', async () => {
        const store = await open();
        expect(await store.coordination.markSeen('slack:event:Ev1', 60)).toBe(true);
        expect(await store.coordination.markSeen('slack:event:Ev1', 60)).toBe(false);
        await sleep(120);
        expect(await store.coordination.markSeen('slack:event:Ev1', 60)).toBe(true);
      });

      it('only one of many simultaneous calls with the same id wins', async () => {
        const store = await open();
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.coordination.markSeen('telegram:update:7', HOUR)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('idempotency', () => {
      it('recalls the remembered value, a JSON copy', async () => {
        const store = await open();
        const replies = [{ text: 'Bonjour', blocks: [] }];
        await store.coordination.remember('idem:web:c1:m1', replies, HOUR);
        expect(await store.coordination.recall('idem:web:c1:m1')).toEqual(replies);
        expect(await store.coordination.recall('idem:web:c1:m2')).toBeUndefined();
      });

      it('forgets the value after its ttl', async () => {
        const store = await open();
        await store.coordination.remember('idem:short', { n: 1 }, 60);
        expect(await store.coordination.recall('idem:short')).toEqual({ n: 1 });
        await sleep(120);
        expect(await store.coordination.recall('idem:short')).toBeUndefined();
      });
    });

    describe('lifecycle', () => {
      it('is ready while open, not after close; close twice is fine; calls after close reject', async () => {
        const store = await factory();
        expect(await store.ready()).toBe(true);
        await store.close();
        await store.close();
        expect(await store.ready()).toBe(false);
        await expect(store.conversations.get('web:x')).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.coordination.markSeen('x', 1000)).rejects.toBeInstanceOf(
          StoreClosedError,
        );
        await expect(store.coordination.lock('web:x', 1000, 10)).rejects.toBeInstanceOf(
          StoreClosedError,
        );
      });

      it('closing rejects callers still waiting for a lock', async () => {
        const store = await factory();
        await store.coordination.lock('web:w', 5000, 5000);
        const waiting = store.coordination.lock('web:w', 5000, 5000);
        await sleep(10);
        await store.close();
        await expect(waiting).rejects.toBeInstanceOf(StoreClosedError);
      });
    });
  });
}
