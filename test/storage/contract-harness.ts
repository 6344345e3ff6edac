/**
 * What every port contract suite shares: a store factory, and the stores a test opened, closed
 * after it.
 */
import { afterEach } from 'vitest';
import type { Store } from '../../src/storage/types.js';

/** A store factory; each call must give an empty, independent store. */
export type StoreFactory = () => Promise<Store> | Store;

export const HOUR = 3_600_000;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Inside a `describe`: `open()` gives a fresh store, closed after each test. */
export function openStores(factory: StoreFactory): () => Promise<Store> {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  return async () => {
    const store = await factory();
    opened.push(store);
    return store;
  };
}
