/**
 * The Slack modals: « Diagnostic du territoire » (the guide's maturity questions of the three
 * roadmaps, read from the catalog so that the modal never drifts from the guide) and « Chercher
 * une fiche ». Building a view and reading its submission are pure; validation errors are
 * returned per block so that Slack shows them under the field (`response_action: 'errors'`).
 * A submission is only read here: its answers go to the dialogue like typed ones
 * (`diagnostic.ts`), which decides and words the bilan as on every other channel.
 */
import type { types } from '@slack/bolt';
import type { Catalog, ObjectiveId, RoadmapId, RoadmapQuestion } from '../../catalog/schema.js';
import { parseShare } from '../../src/understand/index.js';
import { SLACK_LIMITS } from './render.js';

// === Identifiers (short: they come back in every submission)

/** `callback_id` of the territory diagnostic modal. */
export const DIAGNOSTIC_CALLBACK = 'cv-diagnostic';
/** `callback_id` of the fiche search modal. */
export const SEARCH_CALLBACK = 'cv-search';
/** The one action id inside each input block. */
const VALUE = 'v';
const OBJECTIVE_BLOCK = 'objective';
const SEARCH_BLOCK = 'q';
/** Longest search text we read (the understanding layer reads at most 500). */
const SEARCH_MAX = 200;

/** Where the modal's answer should be posted, kept in `private_metadata`. */
export interface ModalOrigin {
  /** The `response_url` of the command or button that opened the modal. */
  readonly responseUrl?: string;
  readonly channelId?: string;
}

/** `private_metadata` (≤ 3000 characters): the origin as compact JSON, or empty. */
export function encodeOrigin(origin: ModalOrigin): string {
  const json = JSON.stringify({
    ...(origin.responseUrl ? { r: origin.responseUrl } : {}),
    ...(origin.channelId ? { c: origin.channelId } : {}),
  });
  if (json.length <= SLACK_LIMITS.privateMetadata) return json;
  return origin.channelId ? JSON.stringify({ c: origin.channelId.slice(0, 100) }) : '';
}

/** Reads `private_metadata` back; anything unexpected is ignored (it is untrusted input). */
export function decodeOrigin(metadata: unknown): ModalOrigin {
  if (typeof metadata !== 'string' || metadata === '') return {};
  try {
    const value: unknown = JSON.parse(metadata);
    if (value === null || typeof value !== 'object') return {};
    const { r, c } = value as { r?: unknown; c?: unknown };
    return {
      ...(typeof r === 'string' ? { responseUrl: r } : {}),
      ...(typeof c === 'string' ? { channelId: c } : {}),
    };
  } catch {
    return {};
  }
}

// === Building the diagnostic modal

const SECTION_TITLES: Readonly<Record<RoadmapId, string>> = {
  individuel: 'Les commerçants, un par un',
  collectif: 'Les démarches collectives',
  'centre-ville': 'Le centre-ville et la collectivité',
};

const YES_NO: readonly { value: string; label: string }[] = [
  { value: 'yes', label: 'Oui' },
  { value: 'no', label: 'Non' },
  { value: 'unknown', label: 'Je ne sais pas' },
];

/** The block id of a question: roadmap and question ids, well under 255 characters. */
export function questionBlockId(roadmap: RoadmapId, question: string): string {
  return `${roadmap}.${question}`;
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

function option(label: string, value: string): types.PlainTextOption {
  return { text: plain(label), value };
}

function questionBlock(roadmap: RoadmapId, q: RoadmapQuestion): types.InputBlock {
  const base = {
    type: 'input' as const,
    block_id: questionBlockId(roadmap, q.id),
    optional: true,
    label: plain(q.text),
  };
  if (q.kind === 'share') {
    return {
      ...base,
      hint: plain('En % (de 0 à 100). Laissez vide si vous ne savez pas.'),
      element: {
        type: 'number_input',
        action_id: VALUE,
        is_decimal_allowed: true,
        min_value: '0',
        max_value: '100',
        placeholder: plain('par exemple 45'),
      },
    };
  }
  if (q.kind === 'yesno') {
    return {
      ...base,
      element: {
        type: 'radio_buttons',
        action_id: VALUE,
        options: YES_NO.map((a) => option(a.label, a.value)),
      },
    };
  }
  return {
    ...base,
    element: {
      type: 'static_select',
      action_id: VALUE,
      placeholder: plain('Choisissez'),
      options: [
        ...q.options.map((o) => option(o.label, o.id)),
        option('Je ne sais pas', 'unknown'),
      ],
    },
  };
}

/**
 * The « Diagnostic du territoire » modal (SPEC §5, DIALOGUES §2): the objective aimed at, then
 * every maturity question of the three roadmaps, in the guide's order. Every field is optional:
 * an empty field means « je ne sais pas ».
 */
export function buildDiagnosticModal(catalog: Catalog, origin: ModalOrigin = {}): types.ModalView {
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Les questions du guide de la Banque des Territoires pour situer votre centre-ville. Répondez à ce que vous savez : un champ vide compte comme « je ne sais pas ».',
      },
    },
    {
      type: 'input',
      block_id: OBJECTIVE_BLOCK,
      optional: true,
      label: plain('Votre objectif principal'),
      element: {
        type: 'static_select',
        action_id: VALUE,
        placeholder: plain('Choisissez un objectif'),
        options: catalog.objectives.map((o) => option(o.menuLabel, o.id)),
      },
    },
  ];
  for (const roadmap of catalog.roadmaps) {
    blocks.push({ type: 'header', text: plain(SECTION_TITLES[roadmap.id]) });
    for (const q of roadmap.questions) blocks.push(questionBlock(roadmap.id, q));
  }
  return {
    type: 'modal',
    callback_id: DIAGNOSTIC_CALLBACK,
    title: plain('Diagnostic du territoire'),
    submit: plain('Voir le bilan'),
    close: plain('Annuler'),
    private_metadata: encodeOrigin(origin),
    blocks,
  };
}

/** The « Chercher une fiche » modal: one text field. */
export function buildSearchModal(origin: ModalOrigin = {}): types.ModalView {
  return {
    type: 'modal',
    callback_id: SEARCH_CALLBACK,
    title: plain('Chercher une fiche'),
    submit: plain('Chercher'),
    close: plain('Annuler'),
    private_metadata: encodeOrigin(origin),
    blocks: [
      {
        type: 'input',
        block_id: SEARCH_BLOCK,
        label: plain('Que cherchez-vous ?'),
        hint: plain('Par exemple : stationnement, fidélité, vendre en ligne, fiche Google…'),
        element: {
          type: 'plain_text_input',
          action_id: VALUE,
          max_length: SEARCH_MAX,
          placeholder: plain('Quelques mots'),
        },
      },
    ],
  };
}

// === Reading a submission

/** One field of `view.state.values`, as Slack sends it (only what we read). */
interface StateValue {
  readonly type?: unknown;
  readonly value?: unknown;
  readonly selected_option?: { readonly value?: unknown } | null;
}

/**
 * One answer of the modal as a user gives it in the dialogue: a share typed as text (« 45 »,
 * « 45,5 »), or the value of the button they would press (`yes`, `no`, `unknown`, `forte`…).
 */
export type ModalAnswer = { readonly typed: string } | { readonly press: string };

/**
 * The modal's answers, in the guide's order of each roadmap's questions (the order the dialogue
 * asks them). A roadmap beyond « individuel » is there only when one of its fields was filled:
 * the dialogue then goes on to it, as a user choosing « aller plus loin » would.
 */
export interface DiagnosticAnswers {
  readonly objective?: ObjectiveId;
  readonly individuel: readonly ModalAnswer[];
  readonly collectif?: readonly ModalAnswer[];
  readonly centreVille?: readonly ModalAnswer[];
}

/** The submission read: the answers to send to the dialogue, or the errors to show. */
export type DiagnosticSubmission =
  | { readonly ok: true; readonly answers: DiagnosticAnswers }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

function field(values: unknown, blockId: string): StateValue | undefined {
  if (values === null || typeof values !== 'object') return undefined;
  const block = (values as Record<string, unknown>)[blockId];
  if (block === null || typeof block !== 'object') return undefined;
  const value = (block as Record<string, unknown>)[VALUE];
  return value !== null && typeof value === 'object' ? (value as StateValue) : undefined;
}

function selected(v: StateValue | undefined): string | undefined {
  const value = v?.selected_option?.value;
  return typeof value === 'string' ? value : undefined;
}

const SHARE_ERROR = 'Indiquez un pourcentage entre 0 et 100 (par exemple 45), ou laissez vide.';
const CHOICE_ERROR = 'Choisissez une des réponses proposées.';
const EMPTY_ERROR =
  'Répondez à au moins une question (même approximativement) pour obtenir un bilan.';
const UNKNOWN: ModalAnswer = { press: 'unknown' };

/**
 * Reads `view.state.values` of the diagnostic modal (untrusted input). A share is read by the
 * dialogue's own parser (`parseShare`), so the modal accepts exactly what typing accepts; choices
 * must be among the options offered; an empty field is « je ne sais pas ». An empty form is
 * refused with an error on the first question, since no bilan can come out of it.
 */
export function readDiagnosticSubmission(catalog: Catalog, values: unknown): DiagnosticSubmission {
  const errors: Record<string, string> = {};
  const sections: Partial<Record<RoadmapId, ModalAnswer[]>> = {};
  const filled = new Set<RoadmapId>();
  let answered = 0;
  let firstBlock: string | undefined;

  for (const roadmap of catalog.roadmaps) {
    const section: ModalAnswer[] = [];
    sections[roadmap.id] = section;
    for (const q of roadmap.questions) {
      const blockId = questionBlockId(roadmap.id, q.id);
      firstBlock ??= blockId;
      const v = field(values, blockId);
      if (q.kind === 'share') {
        const raw = typeof v?.value === 'string' ? v.value.trim() : '';
        if (raw === '') {
          section.push(UNKNOWN);
          continue;
        }
        const read = parseShare(catalog, raw);
        if (!read.ok || typeof read.value !== 'number') errors[blockId] = SHARE_ERROR;
        section.push({ typed: raw });
        filled.add(roadmap.id);
        answered++;
        continue;
      }
      const choice = selected(v);
      if (choice === undefined) {
        section.push(UNKNOWN);
        continue;
      }
      const allowed =
        q.kind === 'yesno'
          ? YES_NO.map((a) => a.value)
          : [...q.options.map((o) => o.id), 'unknown'];
      if (!allowed.includes(choice)) errors[blockId] = CHOICE_ERROR;
      section.push({ press: choice });
      filled.add(roadmap.id);
      if (choice !== 'unknown') answered++;
    }
  }

  const objectiveValue = selected(field(values, OBJECTIVE_BLOCK));
  const objective = catalog.objectives.find((o) => o.id === objectiveValue)?.id;
  if (objectiveValue !== undefined && !objective) errors[OBJECTIVE_BLOCK] = CHOICE_ERROR;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (answered === 0 && firstBlock) return { ok: false, errors: { [firstBlock]: EMPTY_ERROR } };
  const extra = (id: RoadmapId) => (filled.has(id) ? sections[id] : undefined);
  const collectif = extra('collectif');
  const centreVille = extra('centre-ville');
  return {
    ok: true,
    answers: {
      ...(objective ? { objective } : {}),
      individuel: sections.individuel ?? [],
      ...(collectif ? { collectif } : {}),
      ...(centreVille ? { centreVille } : {}),
    },
  };
}

/** The search modal's text, or an error for its only field. */
export function readSearchSubmission(
  values: unknown,
): { ok: true; text: string } | { ok: false; errors: Record<string, string> } {
  const v = field(values, SEARCH_BLOCK);
  const text = typeof v?.value === 'string' ? v.value.trim().slice(0, SEARCH_MAX) : '';
  if (text === '') return { ok: false, errors: { [SEARCH_BLOCK]: 'Écrivez quelques mots.' } };
  return { ok: true, text };
}
