/**
 * The catalog's vocabulary compiled once per catalog into phrases the parsers can look for.
 * All words come from `catalog/data/vocabulary.yaml` (and the catalog's own names and labels);
 * none is written in code.
 */
import type { Catalog } from '../../catalog/schema.js';
import { compilePhrases, type Phrase, tokenize } from './text.js';

/** Words too small to tell places and trades apart (« Pays de la Loire » = « pays loire »). */
const LINK_WORDS = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'en', 'et', 'a']);

/** Plain words with runs of one letter collapsed (« ouiii » = « oui », « nonn » = « non »). */
export function answerTokens(text: string): string[] {
  return tokenize(text).map((t) => t.replace(/(\p{L})\1+/gu, '$1'));
}

/** Plain words without link words, plural « s »/« x » dropped on longer words. */
export function placeTokens(text: string): string[] {
  return tokenize(text)
    .filter((t) => !LINK_WORDS.has(t))
    .map((t) => (t.length >= 4 ? t.replace(/[sx]$/, '') : t));
}

/** Answer classes read by parseYesNo. */
export type AnswerClass = 'yes' | 'no' | 'unknown';

/** Every list the parsers need, as phrases. */
export interface CompiledVocabulary {
  readonly answers: readonly Phrase<AnswerClass>[];
  readonly leads: ReadonlySet<string>;
  readonly shares: readonly Phrase<number>[];
  readonly approx: readonly Phrase<true>[];
  /** Share words first, then approximation words, for one longest-first pass. */
  readonly shareWords: readonly Phrase<number | 'approx'>[];
  readonly percent: readonly string[];
  readonly shareOf: readonly string[];
  readonly politeness: readonly Phrase<true>[];
  readonly commands: readonly Phrase<string>[];
  readonly sectors: readonly Phrase<string>[];
  readonly regions: readonly Phrase<string>[];
  readonly overseas: readonly Phrase<true>[];
}

const cache = new WeakMap<Catalog, CompiledVocabulary>();

/** The six global commands of SPEC §5, in the order the vocabulary lists them. */
export const COMMAND_KEYS = [
  'menu',
  'aide',
  'retour',
  'recommencer',
  'contact',
  'oublier',
] as const;

/** Compiles (once per catalog object) the vocabulary lists used by the parsers. */
export function compileVocabulary(catalog: Catalog): CompiledVocabulary {
  const hit = cache.get(catalog);
  if (hit) return hit;
  const v = catalog.vocabulary;
  const answers = v.answers;
  const list = (key: string): string[] => answers[key] ?? [];
  const shares: Phrase<number>[] = [];
  for (const [key, words] of Object.entries(answers)) {
    const m = /^share-(\d{1,3})$/.exec(key);
    if (m) shares.push(...compilePhrases(words, Number(m[1]), answerTokens));
  }
  const approx = compilePhrases(list('share-approx'), true as const, answerTokens);
  const shareWords: Phrase<number | 'approx'>[] = [
    ...shares,
    ...approx.map((p) => ({ ...p, value: 'approx' as const })),
  ];
  const commands: Phrase<string>[] = [];
  for (const key of COMMAND_KEYS) {
    commands.push(...compilePhrases(v.commands[key] ?? [], key, tokenize));
  }
  const sectors: Phrase<string>[] = [];
  for (const s of catalog.guide.sectors) {
    sectors.push(...compilePhrases([s.label, ...(v.sectors[s.id] ?? [])], s.id, placeTokens));
  }
  const regions: Phrase<string>[] = [];
  for (const r of catalog.contacts.regions) {
    regions.push(...compilePhrases([r.name, ...(v.regions[r.id] ?? [])], r.id, placeTokens));
  }
  const compiled: CompiledVocabulary = {
    answers: [
      ...compilePhrases(list('yes'), 'yes' as const, answerTokens),
      ...compilePhrases(list('no'), 'no' as const, answerTokens),
      ...compilePhrases(list('unknown'), 'unknown' as const, answerTokens),
    ],
    leads: new Set(list('lead').map((w) => answerTokens(w).join(' '))),
    shares,
    approx,
    shareWords,
    percent: list('share-percent').map((w) => tokenize(w).join(' ')),
    shareOf: list('share-of').map((w) => tokenize(w).join(' ')),
    politeness: compilePhrases(v.commands.politeness ?? [], true as const, tokenize),
    commands,
    sectors,
    regions,
    overseas: compilePhrases(list('region-outre-mer'), true as const, placeTokens),
  };
  cache.set(catalog, compiled);
  return compiled;
}
