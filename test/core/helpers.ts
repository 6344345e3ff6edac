/** Shared helpers for the core tests: the real catalog and short lookups. */
import { getCatalog } from '../../catalog/load.js';
import type { Catalog, Fiche } from '../../catalog/schema.js';

export const catalog: Catalog = getCatalog();

/** The fiche with this guide number (SPEC §3 table). */
export function fiche(n: number): Fiche {
  const f = catalog.fiches.find((x) => x.number === n);
  if (!f) throw new Error(`fiche ${n} missing from the catalog`);
  return f;
}

/** Fiche id by guide number. */
export const id = (n: number): string => fiche(n).id;

/** Guide numbers of a list of fiche ids. */
export function numbers(ids: readonly string[]): number[] {
  return ids.map((x) => catalog.fiches.find((f) => f.id === x)?.number ?? -1);
}
