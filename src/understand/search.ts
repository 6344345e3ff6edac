/**
 * Free text → the best fiches (at most 3), an objective, a global command, or « not understood »
 * (SPEC §5 Recherche). A MiniSearch full-text index with the Snowball French stemmer and French
 * stop words does the matching (fuzzy, prefix, field boosts); this module adds the catalog's
 * phrases (a bonus for fiche keywords found as phrases), the objective rule and a confidence.
 */
import MiniSearch from 'minisearch';
import type { Catalog, Fiche, ObjectiveId } from '../../catalog/schema.js';
import { detectCommand, type GlobalCommand } from './commands.js';
import {
  compilePhrases,
  createStopwords,
  MAX_INPUT_CHARS,
  type Phrase,
  PhraseIndex,
  stem,
  tokenize,
} from './text.js';
import { compileVocabulary } from './vocabulary.js';

/** One fiche found by the search; `score` is the ranking score (higher is better). */
export interface SearchHit {
  kind: 'fiche';
  id: string;
  score: number;
}

/** What a free-text message is about. `confidence` is in [0, 1]. */
export type SearchResult =
  | { kind: 'fiches'; hits: SearchHit[]; confidence: number }
  | { kind: 'objective'; objective: ObjectiveId; confidence: number; hits: SearchHit[] }
  | { kind: 'command'; command: GlobalCommand }
  | {
      kind: 'none';
      confidence: number;
      /** The closest fiches all the same, when the text matched some (to offer as choices). */
      near?: SearchHit[];
    };

/** A search built once at start-up over one catalog. */
export interface Search {
  search(text: string): SearchResult;
  /** How long building the index took, in milliseconds. */
  readonly buildMs: number;
}

/**
 * Below this confidence the bot admits it did not understand and offers the menu. Calibrated on
 * the dev set, our held-out questions and gibberish (scripts/eval.ts prints the spread).
 */
export const CONFIDENCE_THRESHOLD = 0.3;

/** Field boosts: names and vocabulary first, then summary and description, then the rest. */
const BOOST = {
  title: 3,
  keywords: 3,
  synonyms: 2,
  summary: 1.5,
  description: 1,
  resources: 0.7,
  examples: 0.7,
  actors: 0.8,
} as const;
type Field = keyof typeof BOOST;
const FIELDS = Object.keys(BOOST) as Field[];

/** Phrase bonus per phrase word: keywords weigh more than synonyms and titles. */
const PHRASE_WEIGHT = { keyword: 1, synonym: 0.7, title: 1 } as const;
/**
 * A phrase word counts for its rarity weight over `SPECIFIC_WEIGHT` (a word of about 3 fiches
 * counts 1, « commerce » about 0.4), at most this much.
 */
const MAX_PHRASE_WORD = 1.25;
/** How much one phrase word multiplies a fiche's score (score × (1 + k × bonus)). */
const PHRASE_BONUS = 0.5;
/** Hits below this share of the best score are not shown. */
const MIN_RELATIVE_SCORE = 0.3;
/** Score at which the match strength saturates in the confidence. */
const STRONG_SCORE = 25;
/**
 * Weight of a word found in about 3 of the 14 fiches. A match whose rarest word is more common
 * than that (« commerce », « numérique ») and that names no catalog phrase is not specific.
 */
const SPECIFIC_WEIGHT = 1.6;
/** Query terms whose per-fiche scores are memoised before the memo starts afresh. */
const MAX_TERM_MEMO = 20_000;
/** A query word matched only with a typo or as a prefix counts for this share of its weight. */
const LOOSE_MATCH_WEIGHT = 0.7;

type Doc = { id: string } & Record<Field, string>;

interface FichePhrase {
  fiche: string;
  weight: number;
}

function ficheDoc(catalog: Catalog, fiche: Fiche): Doc {
  const vocab = catalog.vocabulary.fiches[fiche.id];
  return {
    id: fiche.id,
    title: fiche.title,
    keywords: (vocab?.keywords ?? []).join(' ; '),
    synonyms: (vocab?.synonyms ?? []).join(' ; '),
    summary: fiche.summary,
    description: fiche.description,
    resources: [...fiche.resources.merchant, ...fiche.resources.collectivite].join(' ; '),
    examples: fiche.examples.map((e) => [e.name, e.place ?? '', e.text].join(' ')).join(' ; '),
    actors: fiche.actors.join(' ; '),
  };
}

/**
 * Builds the search over the catalog: one MiniSearch document per fiche, the fiche and objective
 * phrases, and the document frequencies used by the confidence.
 */
export function createSearch(catalog: Catalog): Search {
  const started = performance.now();
  const stop = createStopwords(catalog.vocabulary.stopwords);
  const docs = catalog.fiches.map((f) => ficheDoc(catalog, f));

  // The Snowball stemmer leaves verbs in « -ent » whole (« trouvent », « vendent »): such a stem
  // is read as the stem of its infinitive when the fiches use that more (« trouv », « vendr »),
  // in the index and in queries alike.
  const plainDf = new Map<string, number>();
  const docStems = docs.map((doc) => {
    const seen = new Set<string>();
    for (const f of FIELDS) {
      for (const t of tokenize(doc[f])) if (t.length >= 2 && !stop.has(t)) seen.add(stem(t));
    }
    for (const s of seen) plainDf.set(s, (plainDf.get(s) ?? 0) + 1);
    return seen;
  });
  const verbs = new Map<string, string>();
  const conjugated = (s: string): string => {
    if (s.length < 7 || !s.endsWith('ent')) return s;
    const known = verbs.get(s);
    if (known !== undefined) return known;
    const root = s.slice(0, -3);
    let out = s;
    for (const c of [root, stem(`${root}er`), stem(`${root}re`), stem(`${root}ir`)]) {
      if ((plainDf.get(c) ?? 0) > (plainDf.get(out) ?? 0)) out = c;
    }
    if (verbs.size >= MAX_TERM_MEMO) verbs.clear();
    verbs.set(s, out);
    return out;
  };
  const processTerm = (term: string): string | null =>
    term.length < 2 || stop.has(term) ? null : conjugated(stem(term));
  const queryStem = (word: string): string => conjugated(stem(word));
  const stems = (text: string): string[] =>
    tokenize(text)
      .map(processTerm)
      .filter((t): t is string => t !== null);

  const index = new MiniSearch<Doc>({
    fields: FIELDS,
    idField: 'id',
    tokenize,
    processTerm,
  });
  index.addAll(docs);

  // Document frequency of each stem, for the weight of a query word in the confidence, and to
  // know which query words the index does not hold.
  const df = new Map<string, number>();
  for (const seen of docStems) {
    for (const st of new Set([...seen].map(conjugated))) df.set(st, (df.get(st) ?? 0) + 1);
  }
  const n = docs.length;
  const weight = (s: string): number => Math.log(1 + n / ((df.get(s) ?? 2) + 0.5));

  // Typos and cut words: a word of 5+ letters that the index does not hold is looked up with
  // one edit and as a prefix. Known words are matched exactly, which keeps a search well under a
  // millisecond and stops short words from drifting (« pain » is not « paie »).
  const searchOptionsFor = (loose: ReadonlySet<string>) =>
    ({
      boost: BOOST,
      combineWith: 'OR',
      fuzzy: (term: string) => (loose.has(term) ? 1 : false),
      prefix: (term: string) => loose.has(term),
    }) as const;

  const fichePhrases: Phrase<FichePhrase>[] = [];
  for (const f of catalog.fiches) {
    const v = catalog.vocabulary.fiches[f.id];
    const add = (list: readonly string[], w: number) => {
      for (const p of compilePhrases(list, { fiche: f.id, weight: w }, stems)) fichePhrases.push(p);
    };
    add(v?.keywords ?? [], PHRASE_WEIGHT.keyword);
    add(v?.synonyms ?? [], PHRASE_WEIGHT.synonym);
    add([f.title], PHRASE_WEIGHT.title);
  }
  const objectivePhrases: Phrase<ObjectiveId>[] = [];
  for (const o of catalog.objectives) {
    const words = [o.menuLabel, ...(catalog.vocabulary.objectives[o.id] ?? [])];
    objectivePhrases.push(...compilePhrases(words, o.id, stems));
  }
  const ficheIndex = new PhraseIndex(fichePhrases);
  const objectiveIndex = new PhraseIndex(objectivePhrases);
  compileVocabulary(catalog); // the command words, checked first on every search
  const objectiveOf = new Map(catalog.fiches.map((f) => [f.id, f.objective]));
  const options = { gap: 2, fuzzy: true } as const;

  // MiniSearch's OR query scores a fiche as (sum of its per-term BM25 scores) × (number of query
  // terms it matched), so each term's scores are asked of MiniSearch once and memoised: a search
  // then costs a few map look-ups instead of a walk of the radix tree per term and per field.
  const docOrder = new Map(docs.map((d, i) => [d.id, i]));
  const termMemo = new Map<string, readonly (readonly [number, number])[]>();
  const exactTerm = { tokenize: (t: string) => [t], processTerm: (t: string) => t } as const;
  function termScores(term: string, loose: boolean): readonly (readonly [number, number])[] {
    const key = loose ? `~${term}` : term;
    const known = termMemo.get(key);
    if (known) return known;
    const found = index
      .search(term, { ...searchOptionsFor(loose ? new Set([term]) : new Set()), ...exactTerm })
      .map((r) => [docOrder.get(String(r.id)) ?? 0, r.score] as const);
    if (termMemo.size >= MAX_TERM_MEMO) termMemo.clear();
    termMemo.set(key, found);
    return found;
  }

  /** The fiches matching the query stems, best first, with the phrase bonus applied. */
  function rank(
    query: readonly string[],
    loose: ReadonlySet<string>,
    bonus: ReadonlyMap<string, number>,
  ): { id: string; score: number; terms: string[] }[] {
    const sums = new Float64Array(docs.length);
    const terms: string[][] = docs.map(() => []);
    for (const term of query) {
      for (const [d, score] of termScores(term, loose.has(term))) {
        sums[d] = (sums[d] ?? 0) + score;
        const list = terms[d];
        if (list && !list.includes(term)) list.push(term);
      }
    }
    const out: { id: string; score: number; terms: string[]; order: number }[] = [];
    docs.forEach((doc, d) => {
      const matched = terms[d] ?? [];
      if (matched.length === 0) return;
      const score = (sums[d] ?? 0) * matched.length;
      out.push({
        id: doc.id,
        score: score * (1 + PHRASE_BONUS * (bonus.get(doc.id) ?? 0)),
        terms: matched,
        order: d,
      });
    });
    return out.sort((a, b) => b.score - a.score || a.order - b.order);
  }

  function search(raw: string): SearchResult {
    const text = raw.slice(0, MAX_INPUT_CHARS);
    const command = detectCommand(catalog, text);
    if (command) return { kind: 'command', command };
    const words = tokenize(text).filter((w) => w.length >= 2 && !stop.has(w));
    const query = words.map(queryStem);
    if (query.length === 0) return { kind: 'none', confidence: 0 };
    const loose = new Set(
      words
        .filter((w) => w.length >= 5)
        .map(queryStem)
        .filter((s) => s.length >= 4 && !df.has(s)),
    );

    // 1. Full-text ranking, with a bonus for the catalog's phrases found in the text.
    const phraseMatches = ficheIndex.find(query, options);
    const bonus = new Map<string, number>();
    for (const m of phraseMatches) {
      const { fiche, weight: w } = m.phrase.value;
      // Rare words make a phrase telling (« carte cadeau » over « tous les magasins »), and a
      // phrase read across other content words (« boutiques sur un plan en ligne ») counts less.
      const rarity = m.phrase.tokens.reduce(
        (sum, t) => sum + Math.min(MAX_PHRASE_WORD, weight(t) / SPECIFIC_WEIGHT),
        0,
      );
      const gaps = m.end - m.start + 1 - m.phrase.tokens.length;
      bonus.set(fiche, (bonus.get(fiche) ?? 0) + (w * rarity) / (1 + gaps));
    }
    const ranked = rank(query, loose, bonus);
    const top = ranked[0];
    const hits: SearchHit[] = ranked
      .filter((r) => top && r.score >= MIN_RELATIVE_SCORE * top.score)
      .slice(0, 3)
      .map((r) => ({ kind: 'fiche', id: r.id, score: round(r.score) }));

    // 2. Confidence: how much of the query (weighted by rarity) the best fiche explains, and how
    //    strongly; a query of unknown words explains nothing.
    //    A word found only through a typo or a prefix counts for less; generic words alone
    //    (« commerce », « centre-ville ») are not specific enough.
    const unique = [...new Set(query)];
    const total = unique.reduce((sum, s) => sum + weight(s), 0);
    const matched = new Set(top?.terms ?? []);
    const covered = unique
      .filter((s) => matched.has(s))
      .reduce((sum, s) => sum + weight(s) * (df.has(s) ? 1 : LOOSE_MATCH_WEIGHT), 0);
    const coverage = total > 0 ? covered / total : 0;
    const rarest = Math.max(0, ...unique.filter((s) => matched.has(s)).map(weight));
    const specificity = top && bonus.has(top.id) ? 1 : Math.min(1, rarest / SPECIFIC_WEIGHT) ** 2;
    const strength = Math.min(1, (top?.score ?? 0) / STRONG_SCORE);
    const confidence = round(coverage ** 0.7 * specificity * (0.6 + 0.4 * strength));

    // 3. Objective: the text states a goal and names nothing fiche-specific outside it.
    const goal = objectiveFor(query, phraseMatches);
    if (goal) {
      const goalCoverage =
        goal.positions.reduce((sum, p) => sum + weight(query[p] ?? ''), 0) / (total || 1);
      return {
        kind: 'objective',
        objective: goal.objective,
        confidence: round(Math.max(confidence, 0.5 + 0.5 * Math.min(1, goalCoverage))),
        hits: objectiveHits(goal.objective, ranked),
      };
    }
    if (confidence < CONFIDENCE_THRESHOLD || hits.length === 0) {
      return { kind: 'none', confidence, ...(hits.length > 0 ? { near: hits } : {}) };
    }
    const flat = hitsShareObjective(hits, phraseMatches.length);
    if (flat) return { kind: 'objective', objective: flat, confidence, hits };
    return { kind: 'fiches', hits, confidence };
  }

  /**
   * The objective's fiches the text matched, best first; when the text matched none of them, the
   * objective's fiches in the guide's order, with score 0 (nothing in the text ranks them).
   */
  function objectiveHits(
    objective: ObjectiveId,
    ranked: readonly { id: string; score: number }[],
  ): SearchHit[] {
    const mine = ranked.filter((r) => objectiveOf.get(r.id) === objective).slice(0, 3);
    const list =
      mine.length > 0
        ? mine
        : catalog.fiches
            .filter((f) => f.objective === objective)
            .map((f) => ({ id: f.id, score: 0 }));
    return list.slice(0, 3).map((r) => ({ kind: 'fiche', id: r.id, score: round(r.score) }));
  }

  /**
   * The objective rule, part 1: objective phrases (vocabulary `objectives` and the menu labels)
   * found in the text; the objective with the most words wins. It stands only if every fiche
   * phrase found lies inside the goal's words (« vendre en ligne » is both a goal and a phrase of
   * fiche 13; « gagner du temps avec mes stocks » names fiche 11 outside the goal).
   */
  function objectiveFor(
    query: readonly string[],
    phraseMatches: readonly { positions: readonly number[] }[],
  ): { objective: ObjectiveId; positions: number[] } | undefined {
    const found = objectiveIndex.find(query, options);
    if (found.length === 0) return undefined;
    const byObjective = new Map<ObjectiveId, Set<number>>();
    for (const m of found) {
      const set = byObjective.get(m.phrase.value) ?? new Set<number>();
      for (const p of m.positions) set.add(p);
      byObjective.set(m.phrase.value, set);
    }
    let best: { objective: ObjectiveId; positions: number[] } | undefined;
    for (const [objective, set] of byObjective) {
      if (!best || set.size > best.positions.length) best = { objective, positions: [...set] };
    }
    if (!best) return undefined;
    const inside = new Set(best.positions);
    const specific = phraseMatches.some((m) => m.positions.some((p) => !inside.has(p)));
    return specific ? undefined : best;
  }

  /**
   * The objective rule, part 2: with no fiche phrase in the text, three hits of one objective with
   * close scores mean the text is about that goal rather than one solution.
   */
  function hitsShareObjective(hits: SearchHit[], phrases: number): ObjectiveId | undefined {
    const [a, , c] = hits;
    if (phrases > 0 || !a || !c) return undefined;
    const objective = objectiveOf.get(a.id);
    if (!objective || hits.some((h) => objectiveOf.get(h.id) !== objective)) return undefined;
    return a.score < 1.5 * c.score ? objective : undefined;
  }

  const buildMs = performance.now() - started;
  return { search, buildMs };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
