/**
 * Typed answers to the dialogues' questions (SPEC §5: « every question accepts buttons and free
 * text »): yes / no / « je ne sais pas », and shares of merchants as numbers or words.
 */
import type { Catalog } from '../../catalog/schema.js';
import { disjoint, findPhrases, MAX_INPUT_CHARS, type PhraseMatch } from './text.js';
import { type AnswerClass, answerTokens, compileVocabulary } from './vocabulary.js';

/** What a yes/no question's typed answer means. */
export type YesNoUnknown = 'yes' | 'no' | 'unknown';

/** Words allowed after the answer phrase (« oui j'en ai une », « pas encore de site »). */
const MAX_TAIL_WORDS = 4;

/** Strips politeness and hesitation words at both ends (« euh oui merci » → « oui »). */
function trimPoliteness(catalog: Catalog, tokens: string[]): string[] {
  const vocab = compileVocabulary(catalog);
  let out = tokens;
  for (let changed = true; changed && out.length > 0; ) {
    changed = false;
    for (const m of findPhrases(vocab.politeness, out, { gap: 0, fuzzy: false })) {
      if (m.start === 0 && m.end < out.length - 1) {
        out = out.slice(m.end + 1);
        changed = true;
        break;
      }
      if (m.end === out.length - 1 && m.start > 0) {
        out = out.slice(0, m.start);
        changed = true;
        break;
      }
    }
  }
  return out;
}

/** The answer phrase opening the tokens, longest first. */
function leadingAnswer(catalog: Catalog, tokens: string[]): PhraseMatch<AnswerClass> | undefined {
  const vocab = compileVocabulary(catalog);
  return findPhrases(vocab.answers, tokens, { gap: 0, fuzzy: false }).find((m) => m.start === 0);
}

/**
 * Reads a yes/no question's typed answer, or undefined when the text is not an answer (then the
 * dialogue falls back to search). The answer must open the message and either be short, be cut
 * off by punctuation (« oui, j'ai une page »), or be a lead word (« non je n'ai pas de site »).
 * Mixed answers (« oui et non ») are undefined; « non, je ne sais pas » is unknown.
 */
export function parseYesNo(catalog: Catalog, text: string): YesNoUnknown | undefined {
  if (text.length === 0 || text.length > MAX_INPUT_CHARS) return undefined;
  const vocab = compileVocabulary(catalog);
  const [firstSegment = ''] = text.split(/[,;.!?…:\n()]+|\s[-–—]\s/u);
  const segment = trimPoliteness(catalog, answerTokens(firstSegment));
  const all = trimPoliteness(catalog, answerTokens(text));
  const tokens = segment.length > 0 ? segment : all;
  const lead = leadingAnswer(catalog, tokens);
  if (!lead) return undefined;
  const phraseText = lead.phrase.tokens.join(' ');
  const tail = tokens.length - lead.phrase.tokens.length;
  if (tail > MAX_TAIL_WORDS && !vocab.leads.has(phraseText)) return undefined;
  const classesIn = (words: string[]) =>
    new Set(
      disjoint(findPhrases(vocab.answers, words.slice(0, 8), { gap: 0, fuzzy: false })).map(
        (m) => m.phrase.value,
      ),
    );
  if (classesIn(all).has('unknown')) return 'unknown';
  const classes = classesIn(tokens);
  if (classes.has('yes') && classes.has('no')) return undefined;
  return lead.phrase.value;
}

/**
 * A typed share of merchants, or why it could not be read (with the values read, when they
 * disagree): the dialogue words the question to ask back (`src/dialogue/text/understand.ts`).
 */
export type ShareParse =
  | { ok: true; value: number | 'unknown'; approximate: boolean }
  | { ok: false; reason: 'out-of-range' | 'not-a-share' }
  | { ok: false; reason: 'ambiguous'; values: readonly number[] };

/** Lower case, accents folded, percent words turned into « % »; digits and signs kept. */
function foldForNumbers(catalog: Catalog, text: string): string {
  let s = ` ${text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/[\p{C}]/gu, ' ')} `;
  for (const p of compileVocabulary(catalog).percent) {
    if (!p) continue;
    const words = p.split(' ').join('[\\s-]+');
    s = s.replace(new RegExp(`(?<=[\\s\\d])${words}(?=[\\s.,!?;:]|$)`, 'gu'), ' % ');
  }
  return s;
}

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;

const toNumber = (s: string | undefined): number => Number((s ?? '').replace(',', '.'));

/** A share from the digits in the text: fractions, ranges and plain numbers. */
function digitShare(
  catalog: Catalog,
  s: string,
): { values: number[]; outOfRange: boolean; approximate: boolean } {
  const ofWords = compileVocabulary(catalog)
    .shareOf.filter(Boolean)
    .map((w) => w.split(' ').join('\\s+'));
  const of = ['/', ...ofWords].join('|');
  let rest = s;
  const values: number[] = [];
  let outOfRange = false;
  let approximate = false;
  // « 2 sur 10 », « 1 commerçant sur 3 », « 3/4 »
  const fraction = new RegExp(`${NUM}\\s*(?:[\\p{L}-]+\\s+){0,2}(?:${of})\\s*${NUM}`, 'gu');
  rest = rest.replace(fraction, (_m, a: string, b: string) => {
    const num = toNumber(a);
    const den = toNumber(b);
    if (den === 0 || num > den) outOfRange = true;
    else values.push(Math.round((num / den) * 100));
    return ' ';
  });
  // « entre 30 et 40 % », « 30-40 % », « 30 à 40 % »: the middle, approximate, when narrow.
  const range = new RegExp(
    `(?:entre\\s+${NUM}\\s*%?\\s*et\\s+${NUM})|(?:${NUM}\\s*%?\\s*(?:-|a|à)\\s*${NUM}\\s*%)`,
    'gu',
  );
  rest = rest.replace(range, (_m, a1?: string, b1?: string, a2?: string, b2?: string) => {
    const a = toNumber(a1 ?? a2);
    const b = toNumber(b1 ?? b2);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    if (hi > 100) outOfRange = true;
    else if (hi - lo <= 20) {
      values.push(Math.round((lo + hi) / 2));
      approximate = true;
    } else values.push(lo, hi);
    return ' ';
  });
  if (/(^|\s)-\s*\d/u.test(rest)) outOfRange = true; // « -5 % »
  for (const m of rest.matchAll(new RegExp(NUM, 'gu'))) {
    const n = toNumber(m[1]);
    if (n > 100) outOfRange = true;
    else values.push(Math.round(n));
  }
  return { values, outOfRange, approximate };
}

/**
 * Reads a share of merchants (0–100) typed as digits (« 45 », « 45 % », « environ 45 »,
 * « 2 sur 10 ») or words (« la moitié », « un tiers », « aucun », « presque tous »).
 * « je ne sais pas » is a valid answer (`'unknown'`). Values above 100 or below 0 are out of
 * range, two different values (« 30 ou 40 ») are ambiguous (with the values read). Words such as « environ », « la plupart » or « presque » make the value approximate.
 */
export function parseShare(catalog: Catalog, text: string): ShareParse {
  const notAShare = { ok: false, reason: 'not-a-share' } as const;
  if (text.length > MAX_INPUT_CHARS) return notAShare;
  if (parseYesNo(catalog, text) === 'unknown') {
    return { ok: true, value: 'unknown', approximate: false };
  }
  const vocab = compileVocabulary(catalog);
  const folded = foldForNumbers(catalog, text);
  const digits = digitShare(catalog, folded);
  const tokens = answerTokens(folded.replace(/\d+(?:[.,]\d+)?/g, ' '));
  // Share words and approximation words are matched together, longest first, so that « à peu
  // près » is not read as « peu » (20 %); « la plupart » is both a share and an approximation.
  const wordValues: number[] = [];
  for (const m of disjoint(findPhrases(vocab.shareWords, tokens, { gap: 0, fuzzy: true }))) {
    if (m.phrase.value !== 'approx') wordValues.push(m.phrase.value);
  }
  const approxWords = findPhrases(vocab.approx, tokens, { gap: 0, fuzzy: false }).length > 0;
  const approximate = digits.approximate || approxWords || /[~≈]/u.test(folded);
  if (digits.outOfRange) return { ok: false, reason: 'out-of-range' };
  // Digits win over number words written beside them (« la moitié, 50 % »); only a
  // disagreement between them is ambiguous.
  const values = [...new Set(digits.values.length > 0 ? digits.values : wordValues)];
  if (digits.values.length > 0 && wordValues.some((w) => !values.includes(w))) {
    values.push(...wordValues.filter((w) => !values.includes(w)));
  }
  const distinct = [...new Set(values)];
  const only = distinct[0];
  if (only === undefined) return notAShare;
  if (distinct.length > 1) {
    return { ok: false, reason: 'ambiguous', values: distinct };
  }
  return { ok: true, value: only, approximate };
}
