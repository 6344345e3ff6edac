/**
 * The merchant's sector (the guide's 7 sectors, p.16) and the town's region (the guide's 13
 * Banque des Territoires contacts, p.46), read from everyday words: « boulangerie », « PACA »,
 * « Rhône-Alpes », « Lyon ».
 */
import type { Catalog } from '../../catalog/schema.js';
import { disjoint, findPhrases, MAX_INPUT_CHARS, type Phrase } from './text.js';
import { compileVocabulary, placeTokens } from './vocabulary.js';

/**
 * The value whose phrases cover the most words of the text; ties go to the earliest mention.
 * A word is counted once, for the longest phrase that uses it.
 */
function bestValue(phrases: readonly Phrase<string>[], text: string): string | undefined {
  if (text.length === 0 || text.length > MAX_INPUT_CHARS) return undefined;
  const tokens = placeTokens(text);
  if (tokens.length === 0) return undefined;
  const score = new Map<string, { words: number; first: number }>();
  // Typos only on long words: département names sit one letter away from everyday words
  // (« savoir » / Savoie, « vendre » / Vendée, « moyenne » / Mayenne).
  const options = { gap: 0, fuzzy: true, fuzzyMinLength: 8 } as const;
  for (const m of disjoint(findPhrases(phrases, tokens, options))) {
    const s = score.get(m.phrase.value) ?? { words: 0, first: m.start };
    s.words += m.positions.length;
    s.first = Math.min(s.first, m.start);
    score.set(m.phrase.value, s);
  }
  let best: string | undefined;
  let top = { words: 0, first: Number.POSITIVE_INFINITY };
  for (const [value, s] of score) {
    if (s.words > top.words || (s.words === top.words && s.first < top.first)) {
      best = value;
      top = s;
    }
  }
  return best;
}

/**
 * The guide sector id (`catalog.guide.sectors`) a merchant's words point to, or undefined.
 * Trades that could fit two sectors are settled in vocabulary.yaml, with a comment.
 */
export function parseSector(catalog: Catalog, text: string): string | undefined {
  return bestValue(compileVocabulary(catalog).sectors, text);
}

/**
 * The region id (`catalog.contacts.regions`) named by its current name, former name,
 * abbreviation or a main city, or undefined. Overseas places are undefined too: the guide lists
 * no overseas contact (see `isOverseasRegion`).
 */
export function parseRegion(catalog: Catalog, text: string): string | undefined {
  const vocab = compileVocabulary(catalog);
  if (isOverseasRegion(catalog, text)) return undefined;
  return bestValue(vocab.regions, text);
}

/** True when the text names an overseas place, so that the bot can say the guide has no contact. */
export function isOverseasRegion(catalog: Catalog, text: string): boolean {
  if (text.length === 0 || text.length > MAX_INPUT_CHARS) return false;
  const tokens = placeTokens(text);
  return (
    findPhrases(compileVocabulary(catalog).overseas, tokens, { gap: 0, fuzzy: false }).length > 0
  );
}
