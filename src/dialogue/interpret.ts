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
  isOverseasRegion,
  normalizeText,
  parseRegion,
  parseSector,
  parseShare,
  parseYesNo,
  readIntents,
  type Search,
  type SearchResult,
} from '../understand/index.js';
import { shareClarifyText } from './text/understand.js';

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
  structure: readonly [Understood['structure'] & string, RegExp][];
  next: readonly [NextChoice, RegExp][];
  orientation: RegExp;
  ack: RegExp;
  skip: RegExp;
  social: readonly [Social, RegExp][];
  /** Département numbers (« dans le 89 », « le 2A ») → region id, from the `=NN` region entries. */
  departements: ReadonlyMap<string, string>;
  overseasNumbers: ReadonlySet<string>;
}

const wordsCache = new WeakMap<Catalog, DialogueWords>();

/** The dialogue's own word lists, read from `catalog.vocabulary.dialogue` once per catalog. */
function dialogueWords(catalog: Catalog): DialogueWords {
  const hit = wordsCache.get(catalog);
  if (hit) return hit;
  const d = catalog.vocabulary.dialogue;
  const re = (key: string) => phraseRegex(d[key] ?? []);
  const departements = new Map<string, string>();
  for (const [region, entries] of Object.entries(catalog.vocabulary.regions))
    for (const e of entries) {
      const m = /^=(\d{2}|2[ab])$/i.exec(e.trim());
      if (m?.[1]) departements.set(m[1].toLowerCase(), region);
    }
  const overseasNumbers = new Set(
    (catalog.vocabulary.answers['region-outre-mer'] ?? []).filter((w) => /^\d{3}$/.test(w)),
  );
  const words: DialogueWords = {
    structure: (['forte', 'moyenne', 'faible'] as const).map((s) => [s, re(`structure-${s}`)]),
    next: (['both', 'centre-ville', 'collectif', 'end'] as const).map((n) => [n, re(`next-${n}`)]),
    orientation: re('orientation'),
    ack: re('acknowledge'),
    skip: re('skip'),
    social: (['greeting', 'thanks', 'bye'] as const).map((s) => [s, re(`social-${s}`)]),
    departements,
    overseasNumbers,
  };
  wordsCache.set(catalog, words);
  return words;
}

function firstMatch<T>(table: readonly [T, RegExp][], norm: string): T | undefined {
  return table.find(([, re]) => re.test(norm))?.[0];
}

/** At or above this confidence a search result is given as the answer; below, as choices. */
export const SURE_CONFIDENCE = 0.4;
/** Below this confidence, even the closest fiches are not offered. */
export const NEAR_CONFIDENCE = 0.15;

/** Reduces a search result to what the machine needs. */
export function toOutcome(result: SearchResult): SearchOutcome {
  if (result.kind === 'objective')
    return { kind: 'objective', objective: result.objective, ids: result.hits.map((h) => h.id) };
  if (result.kind === 'fiches' && result.hits.length > 0)
    return {
      kind: 'fiches',
      ids: result.hits.slice(0, 3).map((h) => h.id),
      ...(result.confidence < SURE_CONFIDENCE ? { unsure: true } : {}),
    };
  if (result.kind === 'none' && result.near && result.confidence >= NEAR_CONFIDENCE)
    return { kind: 'fiches', ids: result.near.slice(0, 3).map((h) => h.id), unsure: true };
  return { kind: 'none' };
}

/** « dans le 89 », « département 2A », « (71) »: the region of a département by its number. */
const DEPARTEMENT =
  /\b(?:dans le|departement(?: du| de la| de)?|dept|dpt)\s+(\d{2,3}|2a|2b)\b|\((\d{2,3}|2a|2b)\)/;

function departement(
  w: DialogueWords,
  norm: string,
): { region?: string; overseas?: boolean } | undefined {
  const m = DEPARTEMENT.exec(norm);
  const n = m?.[1] ?? m?.[2];
  if (!n) return undefined;
  if (w.overseasNumbers.has(n)) return { overseas: true };
  const region = w.departements.get(n);
  return region ? { region } : undefined;
}

/** « on est à Sens », « ma boutique à Auxerre »: a capitalised name after a place word. */
const TOWN_NAMED =
  /(?:\b(?:on est|je suis|nous sommes|situee?s?|basee?s?|installee?s?|commerce|boutique|magasin|mairie|ville|commune|habite|travaille)\s+(?:(?:a|à|au|de)\s+|d['’]\s*))([A-ZÀ-Ý][\p{L}'’-]+(?:[ -](?:sur|en|les|le|la|de|du|sous|[A-ZÀ-Ý][\p{L}'’-]+))*)/u;

/** The names of the banks' own institutions, which are no sector (« banque ») of the person. */
const INSTITUTIONS =
  /\b(?:banque des territoires|caisse des depots(?: et consignations)?|bdt|cdc)\b/g;

/** Whether the text, advice words set aside (« par où commencer »), still names a need. */
function namesNeed(search: Search, rest: string): boolean {
  if (!/\p{L}{3}/u.test(rest)) return false;
  const found = toOutcome(search.search(rest));
  return found.kind === 'objective' || (found.kind === 'fiches' && !found.unsure);
}

/** A clause that only says who is talking (« je suis fleuriste », « nous sommes une mairie »). */
const IDENTITY =
  /^(?:(?:bonjour|bonsoir|salut|hello|alors|voila|oui|donc)\s+)*(?:je suis|nous sommes|on est|je tiens|on tient|j ai|nous avons|on a|je travaille|nous travaillons|je bosse|moi c est|en tant que|je gere|on gere|ici|c est)\b/;
const GREETING =
  /^(?:bonjour|bonsoir|salut|hello|coucou|madame|monsieur|bonjour madame|bonjour monsieur)$/;

/**
 * The text without its clauses that only say who is talking or greet, so that the need is
 * searched alone: « je suis élue au commerce, les gens n'arrivent pas à se garer » → « les gens
 * n'arrivent pas à se garer ». Undefined when no clause was set aside.
 */
function needPart(catalog: Catalog, text: string): string | undefined {
  const clauses = text.split(/[,;:.!?\n]+|\s(?:et|mais|alors)\s/u);
  const kept = clauses.filter((c) => {
    const n = normalizeText(c).trim();
    if (!n || GREETING.test(n)) return false;
    const identity = IDENTITY.test(n) || (clauses.length > 1 && n.split(' ').length <= 3);
    return !(identity && (readIntents(catalog, c).audience || parseSector(catalog, c)));
  });
  return kept.length < clauses.length ? kept.join(', ') : undefined;
}

/** Everything a piece of free text could mean; the machine picks what the current step needs. */
export function understand(catalog: Catalog, search: Search, text: string): Understood {
  const norm = normalizeText(text);
  const yesno = parseYesNo(catalog, text);
  const institution = INSTITUTIONS.test(norm);
  INSTITUTIONS.lastIndex = 0;
  const factText = institution ? norm.replace(INSTITUTIONS, ' ') : text;
  const sector = parseSector(catalog, factText);
  const w = dialogueWords(catalog);
  const dep = departement(w, norm);
  const overseas = dep?.overseas || isOverseasRegion(catalog, text);
  const region = overseas ? undefined : (parseRegion(catalog, text) ?? dep?.region);
  const intents = readIntents(catalog, text);
  const audience = intents.audience ?? (sector ? 'commercant' : undefined);
  const structure = firstMatch(w.structure, norm);
  const next = firstMatch(w.next, norm);
  // The need alone, when the message also says who is talking; the better reading wins.
  const need = audience ? needPart(catalog, text) : undefined;
  const whole = search.search(text);
  // The need alone is searched only when the whole text is not already read with confidence.
  const confident = 'confidence' in whole && whole.confidence >= 0.8;
  const alone = need && !confident ? search.search(need) : undefined;
  // Only who is talking, unless the whole text reads as a need all the same (« je suis fleuriste
  // et veux vendre en ligne » in one clause).
  const wholeNeed = toOutcome(whole);
  const result =
    need === '' &&
    !(wholeNeed.kind === 'objective' || (wholeNeed.kind === 'fiches' && !wholeNeed.unsure))
      ? ({ kind: 'none', confidence: 0 } as const)
      : alone &&
          'confidence' in alone &&
          (!('confidence' in whole) || alone.confidence > whole.confidence)
        ? alone
        : whole;
  const found = toOutcome(result);
  // Off-topic words (« carte d'identité », « piscine ») yield only to a need read with very high
  // confidence (« une appli pour la cantine et les démarches »).
  const sure =
    found.kind === 'objective' ||
    (found.kind === 'fiches' &&
      !found.unsure &&
      'confidence' in result &&
      result.confidence >= 0.9);
  const words = norm.split(' ').filter(Boolean);
  const town =
    words.length > 0 &&
    words.length <= 5 &&
    text.length <= 60 &&
    /\p{L}/u.test(text) &&
    !/[?]/.test(text)
      ? text.trim()
      : undefined;
  const townNamed = TOWN_NAMED.exec(text)?.[1];
  // Off-topic wins over a weak need (« la cantine de mon fils est fermée ? »), an insult always.
  // Everyday words (a dish) are off-topic only when the search finds nothing at all.
  const offtopic =
    intents.offtopic === 'insult'
      ? 'insult'
      : intents.offtopic === 'weak'
        ? found.kind === 'none'
          ? 'topic'
          : undefined
        : intents.offtopic && !sure
          ? intents.offtopic
          : undefined;
  const diag = intents.diagnostic || intents.roadmap;
  let previous: Understood['previous'];
  // « la question d'avant c'était non », « je me suis trompé, c'est oui »: the previous answer.
  if ((intents.previous || intents.correction) && intents.corrected) {
    const yn = parseYesNo(catalog, intents.corrected);
    const sh = parseShare(catalog, intents.corrected);
    previous = {
      ...(yn ? { yesno: yn } : {}),
      ...(sh.ok && typeof sh.value === 'number' ? { share: sh.value } : {}),
    };
  }
  const understood: Understood = {
    ...(yesno ? { yesno } : {}),
    ...(sector ? { sector } : {}),
    ...(region ? { region } : {}),
    ...(overseas ? { overseas: true } : {}),
    ...(audience ? { audience } : {}),
    ...(structure ? { structure } : {}),
    ...(next ? { next } : {}),
    ...(town ? { town } : {}),
    ...(townNamed ? { townNamed } : {}),
    ...(diag
      ? { diag: intents.diagFlow ?? ('any' as const) }
      : // « par où commencer ? » asks for advice: the diagnostic, unless a need is named.
        w.orientation.test(norm) && !namesNeed(search, norm.replace(w.orientation, ' '))
        ? { diag: 'any' as const }
        : {}),
    ...(w.skip.test(norm) ? { skip: true } : {}),
    ...(w.ack.test(norm) ? { ack: true } : {}),
    // Naming the bank alone asks for its contact, unless the words ask for its funding.
    ...(intents.contact || (institution && !intents.funding) ? { contact: true } : {}),
    ...(intents.funding ? { funding: true } : {}),
    ...(intents.help && !sure ? { help: true } : {}),
    ...(offtopic ? { offtopic } : {}),
    ...(intents.social ? { social: intents.social } : {}),
    ...(intents.correction ? { correction: true } : {}),
    ...(previous ? { previous } : {}),
    ...(intents.reject ? { reject: true } : {}),
    ...(intents.partial ? { partial: true } : {}),
    ...(intents.followup ? { followup: intents.followup } : {}),
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
        : { ok: false, reason: parsed.reason, clarify: shareClarifyText(parsed) };
      return share;
    },
  });
}

/** The side facts of a typed message, as the event sent before it (undefined when none). */
export function factsEvent(event: ClicEvent): ClicEvent | undefined {
  if (event.type !== 'TEXT') return undefined;
  const u = event.u;
  const town = u.townNamed;
  // A bare number (« 45 ») is a département only as the answer to the region question.
  const region = /^\s*\d/.test(event.text) ? undefined : u.region;
  if (!u.audience && !u.sector && !region && !town) return undefined;
  return {
    type: 'FACTS',
    ...(u.audience ? { audience: u.audience } : {}),
    ...(u.sector ? { sector: u.sector } : {}),
    ...(region ? { region } : {}),
    ...(town ? { town } : {}),
  };
}

/** A typed text as a machine event: a global word, or text with what it could mean. */
export function textEvent(catalog: Catalog, search: Search, text: string): ClicEvent {
  const command = detectCommand(catalog, text);
  if (command) return { type: 'COMMAND', command };
  const social = firstMatch(dialogueWords(catalog).social, normalizeText(text));
  if (social) return { type: 'SOCIAL', social };
  return { type: 'TEXT', text, u: understand(catalog, search, text) };
}
