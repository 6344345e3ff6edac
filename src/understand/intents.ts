/**
 * What a message asks besides a need (issue 15): the global intents that work from anywhere
 * (contact, funding, diagnostic, roadmap, correction, « ce n'est pas ça », off-topic), politeness
 * in several words, a partial answer, a fiche follow-up, who is talking. Every word comes from the
 * `dialogue` lists of `catalog/data/vocabulary.yaml`; the lists are compiled once per catalog and a
 * message is tokenised once, so reading all of this costs a few microseconds.
 */
import type { Audience, Catalog } from '../../catalog/schema.js';
import { compilePhrases, findPhrases, type Phrase, tokenize } from './text.js';

export type Followup = 'cost' | 'example' | 'level' | 'effort' | 'me';
export type Offtopic = 'insult' | 'topic' | 'english' | 'weak';
export type Politeness = 'greeting' | 'thanks' | 'bye' | 'ack';

/** Everything {@link readIntents} can tell about a message. */
export interface Intents {
  readonly contact: boolean;
  readonly funding: boolean;
  /** How does this work? (« je ne comprends pas », « tu sers à quoi ») */
  readonly help: boolean;
  readonly diagnostic: boolean;
  readonly roadmap: boolean;
  /** Which diagnostic the words name, when they do. */
  readonly diagFlow?: 'commercant' | 'territoire';
  readonly offtopic?: Offtopic;
  /** The whole message is politeness (« merci pour votre aide, bonne soirée »). */
  readonly social?: Politeness;
  readonly correction: boolean;
  /** « la question d'avant »: the correction is about the previous question. */
  readonly previous: boolean;
  /** The words after the correction marker (« … c'était plutôt non » → « plutot non »). */
  readonly corrected?: string;
  readonly reject: boolean;
  readonly partial: boolean;
  readonly followup?: Followup;
  readonly audience?: Audience;
}

type Key =
  | 'contact'
  | 'funding'
  | 'help'
  | 'diagnostic'
  | 'roadmap'
  | 'diagTerritory'
  | 'diagMerchant'
  | 'insult'
  | 'offtopic'
  | 'weak'
  | 'digital'
  | 'correction'
  | 'previous'
  | 'reject'
  | 'partial'
  | Audience
  | `followup-${Followup}`;

interface Compiled {
  readonly phrases: readonly Phrase<Key>[];
  readonly after: readonly Phrase<true>[];
  readonly english: ReadonlySet<string>;
  readonly social: ReadonlyMap<string, Politeness | 'filler'>;
}

const LISTS: readonly (readonly [string, Key])[] = [
  ['intent-contact', 'contact'],
  ['intent-funding', 'funding'],
  ['intent-help', 'help'],
  ['diagnostic', 'diagnostic'],
  ['intent-roadmap', 'roadmap'],
  ['diagnostic-territoire', 'diagTerritory'],
  ['diagnostic-commercant', 'diagMerchant'],
  ['offtopic-insult', 'insult'],
  ['offtopic', 'offtopic'],
  ['offtopic-weak', 'weak'],
  ['digital', 'digital'],
  ['correction', 'correction'],
  ['previous-question', 'previous'],
  ['reject', 'reject'],
  ['partial', 'partial'],
  ['audience-collectivite', 'collectivite'],
  ['audience-commercant', 'commercant'],
  ['audience-visiteur', 'visiteur'],
  ['followup-me', 'followup-me'],
  ['followup-cost', 'followup-cost'],
  ['followup-example', 'followup-example'],
  ['followup-level', 'followup-level'],
  ['followup-effort', 'followup-effort'],
];

const cache = new WeakMap<Catalog, Compiled>();

function compile(catalog: Catalog): Compiled {
  const hit = cache.get(catalog);
  if (hit) return hit;
  const d = catalog.vocabulary.dialogue;
  const phrases: Phrase<Key>[] = [];
  for (const [list, key] of LISTS) phrases.push(...compilePhrases(d[list] ?? [], key, tokenize));
  // Longest phrases first, so that the longest reading of a word wins.
  phrases.sort((a, b) => b.tokens.length - a.tokens.length);
  const social = new Map<string, Politeness | 'filler'>();
  for (const w of d['social-filler'] ?? []) for (const t of tokenize(w)) social.set(t, 'filler');
  // In « a plus », « bonne nuit », the last word carries the kind; the others only accompany it.
  for (const kind of ['ack', 'greeting', 'thanks', 'bye'] as const)
    for (const w of d[`social-words-${kind}`] ?? []) {
      const words = tokenize(w);
      words.forEach((t, i) => {
        if (i === words.length - 1) social.set(t, kind);
        else if (!social.has(t)) social.set(t, 'filler');
      });
    }
  const compiled: Compiled = {
    phrases,
    after: compilePhrases(d['correction-then'] ?? [], true as const, tokenize),
    english: new Set((d['offtopic-english'] ?? []).flatMap(tokenize)),
    social,
  };
  cache.set(catalog, compiled);
  return compiled;
}

const OPTIONS = { gap: 1, fuzzy: true, fuzzyMinLength: 6 } as const;

/** Politeness rank: a goodbye says more than thanks, thanks more than a greeting or an « ok ». */
const RANK: Record<Politeness, number> = { ack: 0, greeting: 1, thanks: 2, bye: 3 };

function politeness(compiled: Compiled, tokens: readonly string[]): Politeness | undefined {
  let best: Politeness | undefined;
  for (const t of tokens) {
    const kind = compiled.social.get(t);
    if (!kind) return undefined;
    if (kind !== 'filler' && (!best || RANK[kind] > RANK[best])) best = kind;
  }
  return best;
}

/** Reads the intents of one message (see {@link Intents}). */
export function readIntents(catalog: Catalog, text: string): Intents {
  const compiled = compile(catalog);
  const tokens = tokenize(text);
  const found = new Set<Key>();
  let correctionEnd = -1;
  for (const m of findPhrases(compiled.phrases, tokens, OPTIONS)) {
    // « sans contact » is a way to pay, not a request for a contact.
    if (m.positions.some((p) => tokens[p] === 'contact' && tokens[p - 1] === 'sans')) continue;
    found.add(m.phrase.value);
    if (m.phrase.value === 'correction' || m.phrase.value === 'previous')
      correctionEnd = Math.max(correctionEnd, m.end);
  }
  const has = (k: Key) => found.has(k);
  let corrected: string | undefined;
  if (correctionEnd >= 0) {
    const after = findPhrases(compiled.after, tokens, { gap: 0, fuzzy: false }).filter(
      (m) => m.start > correctionEnd - 1,
    );
    const from = after.length > 0 ? Math.max(...after.map((m) => m.end)) + 1 : correctionEnd + 1;
    corrected = tokens.slice(from).join(' ') || undefined;
  }
  const english = tokens.filter((t) => compiled.english.has(t)).length;
  // Off-topic words yield to the words of a digital tool (« une appli pour la cantine »).
  const offtopic: Offtopic | undefined = has('insult')
    ? 'insult'
    : has('offtopic') && !has('digital')
      ? 'topic'
      : english >= 2 && english * 2 >= tokens.length
        ? 'english'
        : has('weak')
          ? 'weak'
          : undefined;
  const audience: Audience | undefined = has('collectivite')
    ? 'collectivite'
    : has('commercant')
      ? 'commercant'
      : has('visiteur')
        ? 'visiteur'
        : undefined;
  const followup = (['me', 'cost', 'example', 'level', 'effort'] as const).find((f) =>
    has(`followup-${f}`),
  );
  // Who is talking decides first (« manager de commerce » is a town), then the words.
  const diagFlow =
    audience === 'collectivite'
      ? 'territoire'
      : audience === 'commercant'
        ? 'commercant'
        : has('roadmap') || has('diagTerritory')
          ? 'territoire'
          : has('diagMerchant')
            ? 'commercant'
            : undefined;
  const social =
    tokens.length > 0 && tokens.length <= 12 ? politeness(compiled, tokens) : undefined;
  return {
    contact: has('contact'),
    funding: has('funding'),
    help: has('help'),
    diagnostic: has('diagnostic'),
    roadmap: has('roadmap'),
    ...(diagFlow ? { diagFlow } : {}),
    ...(offtopic ? { offtopic } : {}),
    ...(social ? { social } : {}),
    correction: has('correction'),
    previous: has('previous'),
    ...(corrected ? { corrected } : {}),
    reject: has('reject'),
    partial: has('partial'),
    ...(followup ? { followup } : {}),
    ...(audience ? { audience } : {}),
  };
}
