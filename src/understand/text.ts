/**
 * Tokens, stems and phrase matching shared by the search and the answer parsers. Everything here
 * works on `normalizeText` output, so case, accents and punctuation never matter.
 */
import { stemmer } from '@orama/stemmers/french';
import { stopwords as frenchStopwords } from '@orama/stopwords/french';
import { normalizeText } from './normalize.js';

/** Longest text the matchers look at: beyond it a message is no answer and no search query. */
export const MAX_INPUT_CHARS = 500;

/** The last text split, kept because one message is split by several matchers in a row. */
let lastText: string | undefined;
let lastTokens: readonly string[] = [];

/**
 * Splits text into normalised words. A lone « e » is glued to the next word so that « e-commerce »,
 * « e-mail » and « e-shop » stay one word (« ecommerce », « email », « eshop »).
 */
export function tokenize(text: string): string[] {
  if (text === lastText) return [...lastTokens];
  const out = splitWords(text);
  lastText = text;
  lastTokens = out;
  return [...out];
}

function splitWords(text: string): string[] {
  const words = normalizeText(text.slice(0, MAX_INPUT_CHARS * 2)).split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word) continue;
    const next = words[i + 1];
    if (word === 'e' && next) {
      out.push(`e${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** Stems are memoised: the Snowball stemmer costs tens of microseconds per call. */
const stems = new Map<string, string>();
const MAX_MEMO = 50_000;

/** Stems one normalised word with the Snowball French stemmer (from @orama/stemmers). */
export function stem(word: string): string {
  const known = stems.get(word);
  if (known !== undefined) return known;
  const out = /^\d+$/.test(word) ? word : stemmer(word);
  if (stems.size >= MAX_MEMO) stems.clear();
  stems.set(word, out);
  return out;
}

/** The French stop words of @orama/stopwords plus the catalog's own, normalised. */
export function createStopwords(extra: readonly string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const w of [...frenchStopwords, ...extra]) {
    for (const t of tokenize(w)) set.add(t);
  }
  return set;
}

/** True when `a` and `b` differ by at most one edit (insert, delete, substitute or swap). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** A vocabulary phrase ready to be looked for in a message. */
export interface Phrase<T> {
  /** The entry as written in the catalog. */
  readonly text: string;
  /** Comparable tokens (stems for the search, plain words for the parsers). */
  readonly tokens: readonly string[];
  /** Only counts when it is the whole message (entries written with a leading « = »). */
  readonly whole: boolean;
  readonly value: T;
}

/** Where a phrase was found: token positions `start` … `end` (inclusive) of the message. */
export interface PhraseMatch<T> {
  readonly phrase: Phrase<T>;
  readonly start: number;
  readonly end: number;
  /** Positions of the message tokens that the phrase used. */
  readonly positions: readonly number[];
}

/** How tokens are compared. `fuzzy` allows one edit on tokens of at least 5 letters. */
export interface MatchOptions {
  /** Extra message tokens allowed between the words of a phrase. */
  readonly gap: number;
  readonly fuzzy: boolean;
  /** Shortest word read with a typo (default 5; place names use 6: « ville » is not « Lille »). */
  readonly fuzzyMinLength?: number;
}

const DEFAULT_FUZZY_MIN = 5;

function sameToken(phraseToken: string, token: string, fuzzy: number | false): boolean {
  if (phraseToken === token) return true;
  return (
    fuzzy !== false &&
    phraseToken.length >= fuzzy &&
    token.length >= fuzzy &&
    withinOneEdit(phraseToken, token)
  );
}

const fuzzyOf = (options: MatchOptions): number | false =>
  options.fuzzy ? (options.fuzzyMinLength ?? DEFAULT_FUZZY_MIN) : false;

/** Finds the phrase starting at token `s` (words in order, at most `gap` extra words between). */
function matchAt<T>(
  phrase: Phrase<T>,
  tokens: readonly string[],
  s: number,
  options: MatchOptions,
): PhraseMatch<T> | undefined {
  if (phrase.whole && tokens.length !== phrase.tokens.length) return undefined;
  const positions = [s];
  let gaps = 0;
  let j = s + 1;
  for (let k = 1; k < phrase.tokens.length && j < tokens.length; ) {
    if (sameToken(phrase.tokens[k] ?? '', tokens[j] ?? '', fuzzyOf(options))) {
      positions.push(j);
      k++;
    } else if (++gaps > options.gap) {
      break;
    }
    j++;
  }
  if (positions.length !== phrase.tokens.length) return undefined;
  return { phrase, start: s, end: positions[positions.length - 1] ?? s, positions };
}

/** The one-deletion variants of a word (and the word itself), to find words one edit away. */
function deletions(word: string): string[] {
  const out = [word];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/**
 * Phrases indexed by their first word (exactly, and by one-deletion variants for typos), so that
 * a message is compared only with the phrases that can start at each of its words.
 */
export class PhraseIndex<T> {
  private readonly byFirst = new Map<string, Phrase<T>[]>();
  private readonly byDeletion = new Map<string, Set<string>>();
  /** Every word of every phrase: a known word is never read as a typo of another one. */
  private readonly known = new Set<string>();
  private readonly nearMemo = new Map<string, string[]>();

  constructor(readonly phrases: readonly Phrase<T>[]) {
    for (const phrase of phrases) {
      const first = phrase.tokens[0];
      if (first === undefined) continue;
      const list = this.byFirst.get(first);
      if (list) list.push(phrase);
      else this.byFirst.set(first, [phrase]);
      for (const t of phrase.tokens) this.known.add(t);
    }
    for (const first of this.byFirst.keys()) {
      if (first.length < 5) continue;
      for (const d of deletions(first)) {
        const set = this.byDeletion.get(d) ?? new Set<string>();
        set.add(first);
        this.byDeletion.set(d, set);
      }
    }
  }

  /** The phrase first words equal to `token`, or one edit away when `fuzzy`. */
  private firsts(token: string, fuzzy: number | false): string[] {
    const exact = this.byFirst.has(token) ? [token] : [];
    if (fuzzy === false || token.length < fuzzy || this.known.has(token)) return exact;
    const key = `${fuzzy}:${token}`;
    const memo = this.nearMemo.get(key);
    if (memo) return memo;
    const near = new Set<string>();
    for (const d of deletions(token)) {
      for (const w of this.byDeletion.get(d) ?? []) {
        if (!near.has(w) && w.length >= fuzzy && withinOneEdit(w, token)) near.add(w);
      }
    }
    const out = [...near];
    if (this.nearMemo.size > 10_000) this.nearMemo.clear();
    this.nearMemo.set(key, out);
    return out;
  }

  /** Every phrase found in the tokens (first occurrence of each), longest first. */
  find(tokens: readonly string[], options: MatchOptions): PhraseMatch<T>[] {
    const found = new Map<Phrase<T>, PhraseMatch<T>>();
    for (let s = 0; s < tokens.length; s++) {
      for (const first of this.firsts(tokens[s] ?? '', fuzzyOf(options))) {
        for (const phrase of this.byFirst.get(first) ?? []) {
          if (found.has(phrase)) continue;
          const m = matchAt(phrase, tokens, s, options);
          if (m) found.set(phrase, m);
        }
      }
    }
    return [...found.values()].sort(
      (a, b) => b.phrase.tokens.length - a.phrase.tokens.length || a.start - b.start,
    );
  }
}

const indexes = new WeakMap<readonly Phrase<unknown>[], PhraseIndex<unknown>>();

/** All phrases found in the message tokens, longest first (the index is built once per list). */
export function findPhrases<T>(
  phrases: readonly Phrase<T>[],
  tokens: readonly string[],
  options: MatchOptions,
): PhraseMatch<T>[] {
  let index = indexes.get(phrases) as PhraseIndex<T> | undefined;
  if (!index) {
    index = new PhraseIndex(phrases);
    indexes.set(phrases, index as PhraseIndex<unknown>);
  }
  return index.find(tokens, options);
}

/**
 * Compiles catalog entries into phrases. `toTokens` decides what a token is (stems without stop
 * words for the search; plain words for the parsers). Empty phrases are dropped.
 */
export function compilePhrases<T>(
  entries: readonly string[],
  value: T,
  toTokens: (text: string) => string[],
): Phrase<T>[] {
  const out: Phrase<T>[] = [];
  for (const raw of entries) {
    const whole = raw.trimStart().startsWith('=');
    const text = whole ? raw.trimStart().slice(1) : raw;
    const tokens = toTokens(text);
    if (tokens.length > 0) out.push({ text, tokens, whole, value });
  }
  return out;
}

/** Keeps the matches that do not reuse a word already taken by a longer (earlier) match. */
export function disjoint<T>(matches: readonly PhraseMatch<T>[]): PhraseMatch<T>[] {
  const used = new Set<number>();
  const out: PhraseMatch<T>[] = [];
  for (const m of matches) {
    if (m.positions.some((p) => used.has(p))) continue;
    for (const p of m.positions) used.add(p);
    out.push(m);
  }
  return out;
}
