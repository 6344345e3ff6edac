/**
 * The records port contract (SPEC §8): what every store behind `Store.records` must do — one
 * record per identity and town, replaced on repeat, erased by identity, listed by town whatever
 * the spelling, purged by month, and read back as untrusted data.
 */
import { describe, expect, it } from 'vitest';
import { rec } from '../observatory/helpers.js';
import { openStores, type StoreFactory } from './contract-harness.js';

/** Registers the records contract for one store factory (each call: an empty store). */
export function runRecordsContract(name: string, factory: StoreFactory): void {
  describe(`observatory records contract: ${name}`, () => {
    const open = openStores(factory);

    it('gives back what was put, listed by town', async () => {
      const store = await open();
      const a = rec({ user: 'a' });
      await store.records.put(a);
      expect(await store.records.listByTown('Sens')).toEqual([a]);
      expect(await store.records.listByTown('Auxerre')).toEqual([]);
    });

    it('the same merchant in the same town again: replaced, not doubled', async () => {
      const store = await open();
      await store.records.put(rec({ user: 'a', answers: 'nnnn', month: '2026-01' }));
      const again = rec({ user: 'a', answers: 'yyyy', month: '2026-03' });
      await store.records.put(again);
      expect(await store.records.listByTown('Sens')).toEqual([again]);
    });

    it('the same town spelt differently is the same town: still one record', async () => {
      const store = await open();
      await store.records.put(rec({ user: 'a', town: 'Sens' }));
      await store.records.put(rec({ user: 'a', town: 'SENS' }));
      expect(await store.records.listByTown('sens')).toHaveLength(1);
    });

    it('one record per town: the same merchant counted in two towns keeps both', async () => {
      const store = await open();
      await store.records.put(rec({ user: 'a', town: 'Sens' }));
      await store.records.put(rec({ user: 'a', town: 'Joigny' }));
      expect(await store.records.listByTown('Sens')).toHaveLength(1);
      expect(await store.records.listByTown('Joigny')).toHaveLength(1);
    });

    it('towns are found whatever the case, accents or hyphens, and keep their spelling', async () => {
      const store = await open();
      await store.records.put(rec({ user: 'a', town: 'Saint-Étienne' }));
      await store.records.put(rec({ user: 'b', town: 'saint etienne' }));
      const found = await store.records.listByTown('SAINT ÉTIENNE');
      expect(found.map((r) => r.town).sort()).toEqual(['Saint-Étienne', 'saint etienne']);
    });

    it('deleteByIdentity removes every record of that merchant, and only theirs', async () => {
      const store = await open();
      const a1 = rec({ user: 'a', town: 'Sens' });
      await store.records.put(a1);
      await store.records.put(rec({ user: 'a', town: 'Joigny' }));
      const b = rec({ user: 'b', town: 'Sens' });
      await store.records.put(b);
      expect(await store.records.deleteByIdentity(a1.identity)).toBe(2);
      expect(await store.records.listByTown('Sens')).toEqual([b]);
      expect(await store.records.listByTown('Joigny')).toEqual([]);
      expect(await store.records.deleteByIdentity(a1.identity)).toBe(0);
    });

    it('purgeBefore removes the months before the given one', async () => {
      const store = await open();
      await store.records.put(rec({ user: 'old', month: '2024-02' }));
      const recent = rec({ user: 'new', month: '2024-03' });
      await store.records.put(recent);
      expect(await store.records.purgeBefore('2024-03')).toBe(1);
      expect(await store.records.listByTown('Sens')).toEqual([recent]);
    });
  });
}
