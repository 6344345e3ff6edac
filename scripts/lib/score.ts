/**
 * Scores questions the way issue 4 counts them, shared by the held-out tests and
 * `scripts/eval.ts`: a result counts only if it names at most 3 fiches; an expected objective
 * (`o1`…`o5`) counts first when the answer is that objective and among the three when the first
 * fiche belongs to it; `none` counts when the bot admits it did not understand.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { Search, SearchResult } from '../../src/understand/index.js';

/** One question and what should come back: a fiche id, an objective id or `none`. */
export interface Row {
  readonly question: string;
  readonly expected: string;
}

/** Fiche ids a result names, empty when it names more than 3 (which does not count). */
export function namedFiches(result: SearchResult): string[] {
  if (result.kind === 'fiches' || result.kind === 'objective') {
    return result.hits.length <= 3 ? result.hits.map((h) => h.id) : [];
  }
  return [];
}

/** Whether the result is right first, and whether it is right among the three shown. */
export function scoreResult(
  catalog: Catalog,
  result: SearchResult,
  expected: string,
): { first: boolean; three: boolean } {
  if (expected === 'none') return { first: result.kind === 'none', three: result.kind === 'none' };
  const ids = namedFiches(result);
  if (/^o\d$/.test(expected)) {
    const exact = result.kind === 'objective' && result.objective === expected;
    const lead = catalog.fiches.find((f) => f.id === ids[0]);
    return { first: exact, three: exact || lead?.objective === expected };
  }
  return { first: ids[0] === expected, three: ids.includes(expected) };
}

/** Top-1 and top-3 shares over the rows, with the rows that were not right first. */
export function scoreRows(
  catalog: Catalog,
  search: Search,
  rows: readonly Row[],
): { top1: number; top3: number; misses: { row: Row; result: SearchResult; three: boolean }[] } {
  let top1 = 0;
  let top3 = 0;
  const misses: { row: Row; result: SearchResult; three: boolean }[] = [];
  for (const row of rows) {
    const result = search.search(row.question);
    const { first, three } = scoreResult(catalog, result, row.expected);
    if (first) top1++;
    if (three) top3++;
    if (!first) misses.push({ row, result, three });
  }
  const n = rows.length || 1;
  return { top1: top1 / n, top3: top3 / n, misses };
}

/** Rows from a record of expected id → questions. */
export function rowsOf(sets: Record<string, readonly string[]>): Row[] {
  return Object.entries(sets).flatMap(([expected, qs]) =>
    qs.map((question) => ({ question, expected })),
  );
}
