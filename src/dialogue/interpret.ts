/**
 * From what a channel delivers (text, a button id, a deep link) to the machine's events: global
 * words, typed answers and search results are read here with the understanding module, so the
 * machines stay free of catalog look-ups. Also the short ASCII action ids our buttons carry.
 */
import type { Audience, Catalog, ObjectiveId } from '../../catalog/schema.js';
import { OBJECTIVE_IDS } from '../../catalog/schema.js';
import type {
  AnswerValue,
  ClicEvent,
  DecodedAction,
  EntryTarget,
  NextChoice,
  ResultView,
  SearchOutcome,
  Social,
  Understood,
} from '../../flows/types.js';
import { RESULT_VIEWS } from '../../flows/types.js';
import {
  detectCommand,
  normalizeText,
  parseRegion,
  parseSector,
  parseShare,
  parseYesNo,
  type Search,
  type SearchResult,
} from '../understand/index.js';

// === Action ids (short ASCII, ≤ 48 bytes: Telegram callback_data and Slack values take them)

/** Builders of the action ids our buttons carry; decoded by {@link decodeAction}. */
export const actionId = {
  audience: (a: Audience) => `aud:${a}`,
  objective: (o: ObjectiveId) => `obj:${o}`,
  fiche: (id: string) => `fiche:${id}`,
  details: (id: string) => `det:${id}`,
  /** The second page of a fiche's details. */
  more: (id: string) => `more:${id}`,
  diag: (flow: 'commercant' | 'territoire') => (flow === 'commercant' ? 'diag:c' : 'diag:t'),
  nav: (to: 'menu' | 'back' | 'restart' | 'help' | 'forget' | 'contact' | 'search' | 'resume') =>
    `nav:${to}`,
  /** A part of the territory result (a roadmap, the fiches to launch, the funding). */
  view: (v: ResultView) => `view:${v}`,
  /** An answer to the question asked at step `seq` (the token detects stale buttons). */
  answer: (value: AnswerValue, seq: number) => `ans:${value}@${seq}`,
} as const;

const AUDIENCES: readonly Audience[] = ['commercant', 'collectivite', 'visiteur'];
const ANSWER = /^ans:([a-z0-9-]{1,32})@(\d{1,9})$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A checked button press as a machine event, or undefined when no button of ours has that id. */
export function decodeAction(catalog: Catalog, id: string): ClicEvent | undefined {
  if (typeof id !== 'string' || id.length > 48) return undefined;
  const act = (action: DecodedAction): ClicEvent => ({ type: 'ACTION', action });
  const [head, ...rest] = id.split(':');
  const arg = rest.join(':');
  const isFiche = (f: string) => catalog.fiches.some((x) => x.id === f);
  switch (head) {
    case 'aud':
      return AUDIENCES.includes(arg as Audience)
        ? act({ kind: 'audience', audience: arg as Audience })
        : undefined;
    case 'obj':
      return (OBJECTIVE_IDS as readonly string[]).includes(arg)
        ? act({ kind: 'objective', objective: arg as ObjectiveId })
        : undefined;
    case 'fiche':
      return isFiche(arg) ? act({ kind: 'fiche', id: arg }) : undefined;
    case 'det':
      return isFiche(arg) ? act({ kind: 'details', id: arg }) : undefined;
    case 'more':
      return isFiche(arg) ? act({ kind: 'details', id: arg, part: 2 }) : undefined;
    case 'view':
      return (RESULT_VIEWS as readonly string[]).includes(arg)
        ? act({ kind: 'view', view: arg as ResultView })
        : undefined;
    case 'diag':
      if (arg === 'c') return act({ kind: 'diag', flow: 'commercant' });
      if (arg === 't') return act({ kind: 'diag', flow: 'territoire' });
      return undefined;
    case 'nav':
      switch (arg) {
        case 'menu':
          return { type: 'COMMAND', command: 'menu' };
        case 'back':
          return { type: 'COMMAND', command: 'retour' };
        case 'restart':
          return { type: 'COMMAND', command: 'recommencer' };
        case 'help':
          return { type: 'COMMAND', command: 'aide' };
        case 'forget':
          return { type: 'COMMAND', command: 'oublier' };
        case 'contact':
          return act({ kind: 'contacts' });
        case 'search':
          return act({ kind: 'search' });
        case 'resume':
          return act({ kind: 'resume' });
        default:
          return undefined;
      }
    case 'ans': {
      const m = ANSWER.exec(id);
      if (!m?.[1] || !m[2]) return undefined;
      const raw = m[1];
      const value: AnswerValue = /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
      if (typeof value === 'number' && value > 100) return undefined;
      if (typeof value === 'string' && !SLUG.test(value)) return undefined;
      return act({ kind: 'answer', value, seq: Number(m[2]) });
    }
    default:
      return undefined;
  }
}

/** Where a deep link (`objectif-3`, `fiche-<id>`, `diagnostic-commercant`…) leads. */
export function decodeEntry(catalog: Catalog, entry: string | undefined): EntryTarget {
  if (!entry) return { kind: 'none' };
  const e = entry.trim().toLowerCase();
  const objective = /^objectif-([1-5])$/.exec(e);
  if (objective) return { kind: 'objective', objective: `o${objective[1]}` as ObjectiveId };
  if (e.startsWith('fiche-')) {
    const id = e.slice('fiche-'.length);
    return catalog.fiches.some((f) => f.id === id) ? { kind: 'fiche', id } : { kind: 'unknown' };
  }
  if (e === 'diagnostic-commercant') return { kind: 'diag', flow: 'commercant' };
  if (e === 'diagnostic-territoire') return { kind: 'diag', flow: 'territoire' };
  return { kind: 'unknown' };
}

// === Free text

/** Compiles a list of vocabulary phrases into one regex over normalised text. */
function phraseRegex(words: readonly string[]): RegExp {
  const esc = (w: string) => normalizeText(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const inner = words.filter((w) => !w.startsWith('=')).map(esc);
  const whole = words.filter((w) => w.startsWith('=')).map((w) => esc(w.slice(1)));
  const parts = [
    ...(inner.length ? [`\\b(?:${inner.join('|')})\\b`] : []),
    ...(whole.length ? [`^(?:${whole.join('|')})$`] : []),
  ];
  return parts.length ? new RegExp(parts.join('|')) : /(?!)/;
}

interface DialogueWords {
  audience: readonly [Audience, RegExp][];
  structure: readonly [Understood['structure'] & string, RegExp][];
  next: readonly [NextChoice, RegExp][];
  diag: RegExp;
  diagTerritory: RegExp;
  diagMerchant: RegExp;
  orientation: RegExp;
  ack: RegExp;
  skip: RegExp;
  social: readonly [Social, RegExp][];
}

const wordsCache = new WeakMap<Catalog, DialogueWords>();

/** The dialogue's own word lists, read from `catalog.vocabulary.dialogue` once per catalog. */
function dialogueWords(catalog: Catalog): DialogueWords {
  const hit = wordsCache.get(catalog);
  if (hit) return hit;
  const d = catalog.vocabulary.dialogue;
  const re = (key: string) => phraseRegex(d[key] ?? []);
  const words: DialogueWords = {
    audience: (['commercant', 'collectivite', 'visiteur'] as const).map(
      (a) => [a, re(`audience-${a}`)] as [Audience, RegExp],
    ),
    structure: (['forte', 'moyenne', 'faible'] as const).map((s) => [s, re(`structure-${s}`)]),
    next: (['both', 'centre-ville', 'collectif', 'end'] as const).map((n) => [n, re(`next-${n}`)]),
    diag: re('diagnostic'),
    diagTerritory: re('diagnostic-territoire'),
    diagMerchant: re('diagnostic-commercant'),
    orientation: re('orientation'),
    ack: re('acknowledge'),
    skip: re('skip'),
    social: (['greeting', 'thanks', 'bye'] as const).map((s) => [s, re(`social-${s}`)]),
  };
  wordsCache.set(catalog, words);
  return words;
}

function firstMatch<T>(table: readonly [T, RegExp][], norm: string): T | undefined {
  return table.find(([, re]) => re.test(norm))?.[0];
}

/** Reduces a search result to what the machine needs. */
export function toOutcome(result: SearchResult): SearchOutcome {
  if (result.kind === 'objective')
    return { kind: 'objective', objective: result.objective, ids: result.hits.map((h) => h.id) };
  if (result.kind === 'fiches' && result.hits.length > 0)
    return { kind: 'fiches', ids: result.hits.slice(0, 3).map((h) => h.id) };
  return { kind: 'none' };
}

/** Everything a piece of free text could mean; the machine picks what the current step needs. */
export function understand(catalog: Catalog, search: Search, text: string): Understood {
  const norm = normalizeText(text);
  const yesno = parseYesNo(catalog, text);
  const sector = parseSector(catalog, text);
  const region = parseRegion(catalog, text);
  const w = dialogueWords(catalog);
  const audience = firstMatch(w.audience, norm) ?? (sector ? 'commercant' : undefined);
  const structure = firstMatch(w.structure, norm);
  const next = firstMatch(w.next, norm);
  const found = toOutcome(search.search(text));
  const words = norm.split(' ').filter(Boolean);
  const town =
    words.length > 0 &&
    words.length <= 5 &&
    text.length <= 60 &&
    /\p{L}/u.test(text) &&
    !/[?]/.test(text)
      ? text.trim()
      : undefined;
  const understood: Understood = {
    ...(yesno ? { yesno } : {}),
    ...(sector ? { sector } : {}),
    ...(region ? { region } : {}),
    ...(audience ? { audience } : {}),
    ...(structure ? { structure } : {}),
    ...(next ? { next } : {}),
    ...(town ? { town } : {}),
    ...(w.diag.test(norm)
      ? {
          diag: w.diagTerritory.test(norm)
            ? ('territoire' as const)
            : w.diagMerchant.test(norm)
              ? ('commercant' as const)
              : ('any' as const),
        }
      : // « par où commencer ? » asks for advice: the diagnostic, unless an objective is named.
        w.orientation.test(norm) && found.kind !== 'objective'
        ? { diag: 'any' as const }
        : {}),
    ...(w.skip.test(norm) ? { skip: true } : {}),
    ...(w.ack.test(norm) ? { ack: true } : {}),
    search: found,
  };
  // Reading a share is the costliest parse, and only a share question asks for one: it is read
  // on first access (once), and is there like any other field for whoever looks.
  let share: Understood['share'];
  return Object.defineProperty(understood, 'share', {
    enumerable: true,
    get: () => {
      if (share) return share;
      const parsed = parseShare(catalog, text);
      share = parsed.ok
        ? { ok: true, value: parsed.value }
        : { ok: false, reason: parsed.reason, clarify: parsed.clarify };
      return share;
    },
  });
}

/** A typed text as a machine event: a global word, or text with what it could mean. */
export function textEvent(catalog: Catalog, search: Search, text: string): ClicEvent {
  const command = detectCommand(catalog, text);
  if (command) return { type: 'COMMAND', command };
  const social = firstMatch(dialogueWords(catalog).social, normalizeText(text));
  if (social) return { type: 'SOCIAL', social };
  return { type: 'TEXT', text, u: understand(catalog, search, text) };
}
