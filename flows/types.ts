/**
 * The vocabulary of the dialogues: machine context, the events a machine receives (already
 * interpreted by the dialogue layer, so machines stay free of catalog look-ups and I/O) and the
 * reply intents they emit (turned into French replies by `src/dialogue/`).
 */
import type { Audience, ObjectiveId } from '../catalog/schema.js';
import type { MerchantAdvice, Result, TerritoryAssessment } from '../src/core/index.js';

// === Questions

/** The four merchant prerequisites, asked as « Question n/4 » (SPEC §4). */
export const MERCHANT_QUESTIONS = ['P1', 'P2', 'P3', 'P4'] as const;
/** Roadmap « individuel » maturity questions (shares). */
export const INDIVIDUEL_QUESTIONS = ['connectes', 'reseaux-sociaux', 'fiche-google'] as const;
/** Roadmap « collectif » maturity questions (two shares and a choice). */
export const COLLECTIF_QUESTIONS = [
  'stocks-informatises',
  'adherents-association',
  'structuration-association',
] as const;
/** Roadmap « centre-ville » maturity questions (yes/no). */
export const CENTRE_VILLE_QUESTIONS = [
  'service-communication',
  'services-publics-en-ligne',
  'praticiens-reservation',
  'parkings-temps-reel',
] as const;

/**
 * The numbered questionnaires, asked in order with « Question n/N »: the merchant's four
 * prerequisites, the territory's individuel roadmap, and the volet(s) chosen after its bilan.
 */
export const SEQUENCES = {
  merchant: MERCHANT_QUESTIONS,
  individuel: INDIVIDUEL_QUESTIONS,
  collectif: COLLECTIF_QUESTIONS,
  'centre-ville': CENTRE_VILLE_QUESTIONS,
  both: [...COLLECTIF_QUESTIONS, ...CENTRE_VILLE_QUESTIONS],
} as const;
export type Sequence = keyof typeof SEQUENCES;

/**
 * Where the dialogue stands in a numbered questionnaire: which one, and the index of the question
 * asked (or last asked) in it. The machine's one record of its position in the questions.
 */
export interface Position {
  readonly sequence: Sequence;
  readonly index: number;
}

export type MerchantQuestion = (typeof MERCHANT_QUESTIONS)[number];
export type IndividuelQuestion = (typeof INDIVIDUEL_QUESTIONS)[number];
export type CollectifQuestion = (typeof COLLECTIF_QUESTIONS)[number];
export type CentreVilleQuestion = (typeof CENTRE_VILLE_QUESTIONS)[number];

/** Every question a dialogue can ask; each has one answer kind (see QUESTION_KIND). */
export type QuestionId =
  | 'sector'
  | MerchantQuestion
  | 'town'
  | 'consent'
  | IndividuelQuestion
  | CollectifQuestion
  | CentreVilleQuestion
  | 'next'
  | 'region'
  | 'forget'
  /** The observatory's offer to prefill the individuel shares (issue 9). */
  | 'prefill';

/** How a question is answered: decides which buttons are shown and how free text is read. */
export type AnswerKind =
  | 'yesno'
  | 'share'
  | 'sector'
  | 'structure'
  | 'town'
  | 'consent'
  | 'next'
  | 'region'
  | 'prefill';

/** The answer kind of each question: a table, not branches. */
export const QUESTION_KIND: Readonly<Record<QuestionId, AnswerKind>> = {
  sector: 'sector',
  P1: 'yesno',
  P2: 'yesno',
  P3: 'yesno',
  P4: 'yesno',
  town: 'town',
  consent: 'consent',
  connectes: 'share',
  'reseaux-sociaux': 'share',
  'fiche-google': 'share',
  'stocks-informatises': 'share',
  'adherents-association': 'share',
  'structuration-association': 'structure',
  'service-communication': 'yesno',
  'services-publics-en-ligne': 'yesno',
  'praticiens-reservation': 'yesno',
  'parkings-temps-reel': 'yesno',
  next: 'next',
  region: 'region',
  forget: 'consent',
  prefill: 'prefill',
};

/** What comes after the individuel bilan in the territory diagnostic. */
export type NextChoice = 'collectif' | 'centre-ville' | 'both' | 'end';
export const NEXT_CHOICES: readonly NextChoice[] = ['collectif', 'centre-ville', 'both', 'end'];
export const STRUCTURE_CHOICES = ['faible', 'moyenne', 'forte'] as const;

/**
 * The parts of the territory result a button opens after its short summary (issue 16): one
 * roadmap, the fiches to launch, or the funding.
 */
export type ResultView = 'individuel' | 'collectif' | 'centre-ville' | 'launch' | 'funding';
export const RESULT_VIEWS: readonly ResultView[] = [
  'individuel',
  'collectif',
  'centre-ville',
  'launch',
  'funding',
];

/** A recorded answer: 'yes' | 'no' | 'unknown', a share 0–100, or an id (sector, choice). */
export type AnswerValue = string | number;

// === Prompts (what the user is currently asked; kept in context so it can be repeated)

export type Prompt =
  | { readonly kind: 'audience' }
  | { readonly kind: 'menu' }
  | { readonly kind: 'objective'; readonly objective: ObjectiveId }
  | {
      readonly kind: 'fiche';
      readonly id: string;
      readonly details: boolean;
      /** The second page of the details (« Détails (suite) »), shorter on a phone. */
      readonly part?: 2;
    }
  | { readonly kind: 'search' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'done'; readonly flow: 'commercant' | 'territoire' }
  /** One part of the territory result, opened from its summary. */
  | { readonly kind: 'view'; readonly view: ResultView }
  | {
      readonly kind: 'question';
      readonly question: QuestionId;
      /** Step token: answer buttons carry it, so a button from an earlier step is detected. */
      readonly seq: number;
      readonly progress?: { readonly current: number; readonly total: number };
      /** For the « next » question: the choices offered after the individuel bilan. */
      readonly options?: readonly NextChoice[];
    };

// === Notices (a short line placed before the next prompt)

export type Notice =
  | { readonly kind: 'hello' }
  | { readonly kind: 'unknown-entry' }
  | { readonly kind: 'stale' }
  | { readonly kind: 'unknown-action' }
  | { readonly kind: 'not-understood' }
  | { readonly kind: 'first-question' }
  | { readonly kind: 'help' }
  | { readonly kind: 'restart' }
  | { readonly kind: 'noted-unknown'; readonly question: QuestionId }
  | { readonly kind: 'clarify'; readonly text: string }
  | { readonly kind: 'objective-noted'; readonly objective: ObjectiveId }
  | { readonly kind: 'forget-cancelled' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'greeting' }
  | { readonly kind: 'thanks' }
  | { readonly kind: 'ack' }
  /** The audience read from free text: said back, so the menu never comes back unexplained. */
  | { readonly kind: 'audience-noted'; readonly audience: Audience; readonly corrected: boolean }
  /** « Faire mon diagnostic » without saying which one. */
  | { readonly kind: 'which-diag' }
  /** A partial answer (« un peu », « on a une page mais on ne l'anime pas »), recorded as « non ». */
  | { readonly kind: 'partial'; readonly question: QuestionId }
  /** A previous answer changed by a correction (« la question d'avant c'était non »). */
  | { readonly kind: 'corrected'; readonly question: QuestionId; readonly value: AnswerValue }
  /** The text is no answer to the question on screen: its own hint, not the menu's words. */
  | { readonly kind: 'not-an-answer'; readonly question: QuestionId; readonly town?: string }
  /** An overseas place: the guide lists no regional contact for it. */
  | { readonly kind: 'overseas' }
  /** Back to the question after a detour. */
  | { readonly kind: 'resume-question' };

// === Interpreted input

/** What a search found, reduced to what the machine needs (the dialogue layer keeps scores). */
export type SearchOutcome =
  | { readonly kind: 'objective'; readonly objective: ObjectiveId; readonly ids: readonly string[] }
  | {
      readonly kind: 'fiches';
      readonly ids: readonly string[];
      /** Below the confidence floor: « je ne suis pas sûr », the closest choices offered. */
      readonly unsure?: boolean;
    }
  | { readonly kind: 'none' };

/** A follow-up question on the fiche on screen. */
export type Followup = 'cost' | 'example' | 'level' | 'effort' | 'me';

/** Free text as understood by the dialogue layer (core + understanding), before the machine. */
export interface Understood {
  readonly yesno?: 'yes' | 'no' | 'unknown';
  readonly share?:
    | { readonly ok: true; readonly value: number | 'unknown' }
    | { readonly ok: false; readonly reason: string; readonly clarify: string };
  readonly sector?: string;
  readonly region?: string;
  readonly audience?: Audience;
  readonly structure?: (typeof STRUCTURE_CHOICES)[number];
  readonly next?: NextChoice;
  /** The text itself when it could be a town name (short, with letters). */
  readonly town?: string;
  /** « faire mon diagnostic »: which one, when the words say it ('any' otherwise). */
  readonly diag?: 'commercant' | 'territoire' | 'any';
  /** « passer », « plus tard »: skip an optional question. */
  readonly skip?: boolean;
  /**
   * « ok », « d'accord », « super » alone: an answer where a question takes one (yes), else only
   * an acknowledgement.
   */
  readonly ack?: boolean;
  /** Global intents the words name (contact, funding, off-topic…), when they win over a need. */
  readonly contact?: boolean;
  readonly funding?: boolean;
  /** How does this work? (in a sentence; « aide » alone is the global command) */
  readonly help?: boolean;
  readonly offtopic?: 'insult' | 'topic' | 'english';
  /** Politeness in several words (« merci pour votre aide, bonne soirée »). */
  readonly social?: Social;
  /** « je me suis trompé », « en fait »… */
  readonly correction?: boolean;
  /** A correction of the previous question with its new answer (« c'était plutôt non »). */
  readonly previous?: { readonly yesno?: 'yes' | 'no' | 'unknown'; readonly share?: number };
  /** « Ce n'est pas ça ». */
  readonly reject?: boolean;
  /** Partly yes: « un peu », « bof », « on a une page mais on ne l'anime pas ». */
  readonly partial?: boolean;
  readonly followup?: Followup;
  /** An overseas place (the guide lists no regional contact for it). */
  readonly overseas?: boolean;
  /** A town named in a sentence (« on est à Sens »). */
  readonly townNamed?: string;
  readonly search: SearchOutcome;
}

/** A button press, decoded and checked against the catalog by the dialogue layer. */
export type DecodedAction =
  | { readonly kind: 'audience'; readonly audience: Audience }
  | { readonly kind: 'objective'; readonly objective: ObjectiveId }
  | { readonly kind: 'fiche'; readonly id: string }
  | { readonly kind: 'details'; readonly id: string; readonly part?: 2 }
  | { readonly kind: 'diag'; readonly flow: 'commercant' | 'territoire' }
  | { readonly kind: 'search' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'view'; readonly view: ResultView }
  | { readonly kind: 'answer'; readonly value: AnswerValue; readonly seq: number };

/** Where a deep link leads. */
export type EntryTarget =
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'objective'; readonly objective: ObjectiveId }
  | { readonly kind: 'fiche'; readonly id: string }
  | { readonly kind: 'diag'; readonly flow: 'commercant' | 'territoire' };

/** A whole message that is only politeness: « bonjour », « merci », « au revoir ». */
export type Social = 'greeting' | 'thanks' | 'bye' | 'ack';

/** Words that work anywhere (SPEC §5). */
export type GlobalCommand = 'menu' | 'aide' | 'retour' | 'recommencer' | 'contact' | 'oublier';

/** Events of the dialogue machine: a discriminated union. */
export type ClicEvent =
  | {
      readonly type: 'ENTRY';
      readonly entry: EntryTarget;
      readonly town?: string;
      /** The instance's region (TOWN_REGION), never asked when known. */
      readonly region?: string;
    }
  | { readonly type: 'TEXT'; readonly text: string; readonly u: Understood }
  | { readonly type: 'ACTION'; readonly action: DecodedAction }
  | { readonly type: 'COMMAND'; readonly command: GlobalCommand }
  /** Politeness alone, in any state: answered in kind, the dialogue stays where it is. */
  | { readonly type: 'SOCIAL'; readonly social: Social }
  /** The town's observatory figures (or none), sent before each event; says nothing. */
  | { readonly type: 'OBSERVATORY'; readonly offer?: ObservatoryOffer }
  /**
   * Side facts of a typed message (who is talking, sector, region, town), sent before its TEXT
   * and kept quietly: they never replace the answer to the need.
   */
  | {
      readonly type: 'FACTS';
      readonly audience?: Audience;
      readonly sector?: string;
      readonly region?: string;
      readonly town?: string;
    };

/** The events sent before the event of a turn, which only update what the machine knows. */
export type SideEvent = Extract<ClicEvent, { readonly type: 'OBSERVATORY' | 'FACTS' }>;

/** How a typed text or a button answers the question on screen. */
export type Read =
  | { readonly kind: 'answer'; readonly value: AnswerValue }
  /** An answer button of an earlier step (its step token is not the current one). */
  | { readonly kind: 'stale' }
  /** An answer button whose value does not fit the question. */
  | { readonly kind: 'invalid' }
  /** A share the text gives but that needs asking back (« 150 % »). */
  | { readonly kind: 'clarify'; readonly text: string }
  /** No answer to it (or no question on screen). */
  | { readonly kind: 'none' };

/**
 * TEXT and ACTION as the machine's states handle them: the machine reads each once, against the
 * question on screen, and raises it again with that reading, so no guard reads it a second time.
 */
export type ReadEvent =
  | {
      readonly type: 'TEXT_READ';
      readonly text: string;
      readonly u: Understood;
      readonly read: Read;
    }
  | { readonly type: 'ACTION_READ'; readonly action: DecodedAction; readonly read: Read };

/**
 * A whole turn of the dialogue layer as one event: the side events (the town's figures, the
 * side facts of a typed message) are applied first, in order, then `event` is handled.
 */
export interface TurnEvent {
  readonly type: 'TURN';
  readonly before: readonly SideEvent[];
  readonly event: ClicEvent;
}

/** Every event the machine handles: those it is sent, and those it raises itself. */
export type MachineEvent = ClicEvent | ReadEvent | TurnEvent;

// === The merchants' observatory (issue 9)

/**
 * A town's figures from its merchants' self-diagnostics, as the territory diagnostic offers them
 * (only when at least 5 merchants are counted). Given to the machine by the dialogue layer, which
 * reads them from an injected read-only provider: the machine itself does no I/O.
 */
export interface ObservatoryOffer {
  readonly town: string;
  readonly respondents: number;
  /** Share (%) of respondents « sensibilisés au numérique » (P1): stands for « connectés ». */
  readonly connectes: number;
  /** Share (%) of respondents present and active on the web (P3). */
  readonly web: number;
}

// === Context

export interface ClicContext {
  readonly audience?: Audience;
  readonly objective?: ObjectiveId;
  readonly town?: string;
  readonly region?: string;
  readonly sector?: string;
  readonly answers: Readonly<Record<string, AnswerValue>>;
  /** The numbered questionnaire under way and the question reached in it (none before one). */
  readonly at?: Position;
  /** Last step token handed out. */
  readonly seq: number;
  /** What the user is currently asked, to repeat it after help, a stale button or bad input. */
  readonly prompt: Prompt;
  /** The prompt put aside while « oublier mes données » is being confirmed. */
  readonly held?: Prompt;
  /** The town's observatory figures, refreshed by the dialogue layer before every event. */
  readonly observatory?: ObservatoryOffer;
  /** Set when the individuel shares of this territory diagnostic come from the observatory. */
  readonly prefilled?: { readonly town: string; readonly respondents: number };
  /** The question on screen was followed by a detour: « ok » is then no answer to it. */
  readonly aside?: boolean;
  /** The fiches of the last search results, and those the person said were not it. */
  readonly shown?: readonly string[];
  readonly rejected?: readonly string[];
}

// === The core's decisions, carried by the intents (decide once, present after)

/** The territory's assessment as the core returns it: typed values, or a typed error. */
export type TerritoryDecision = Result<TerritoryAssessment>;

/**
 * The decision a prompt's rendering needs, made by the core when the prompt is emitted: the
 * merchant's advice for an objective's solutions, a fiche's « pourquoi » and the end of his
 * diagnostic (its first step, with a profile), the territory's assessment for a part of its
 * result. Carried by the emitted intent, never kept in the context (the snapshot stays small).
 */
export interface PromptDecision {
  readonly advice?: MerchantAdvice;
  readonly assessment?: TerritoryDecision;
}

// === Intents (what the machine asks the dialogue layer to say or do)

/** Shows a prompt, with the core's decision its rendering needs. */
export type PromptIntent = { readonly type: 'prompt'; readonly prompt: Prompt } & PromptDecision;

export type Intent =
  | PromptIntent
  | { readonly type: 'notice'; readonly notice: Notice }
  | { readonly type: 'search-results'; readonly search: SearchOutcome; readonly canResume: boolean }
  | {
      readonly type: 'merchant-result';
      readonly answers: Readonly<Record<string, AnswerValue>>;
      readonly sector?: string;
      readonly objective?: ObjectiveId;
      readonly town?: string;
      /** The core's decision: his level and the ranked fiches. */
      readonly advice: MerchantAdvice;
    }
  | {
      readonly type: 'territory-bilan';
      readonly answers: Readonly<Record<string, AnswerValue>>;
      readonly objective?: ObjectiveId;
      /** The individuel shares came from the observatory: say so. */
      readonly prefilled?: { readonly town: string; readonly respondents: number };
      /** The core's decision on the individuel roadmap alone. */
      readonly assessment: TerritoryDecision;
    }
  | {
      readonly type: 'territory-result';
      readonly answers: Readonly<Record<string, AnswerValue>>;
      readonly objective?: ObjectiveId;
      readonly region?: string;
      readonly prefilled?: { readonly town: string; readonly respondents: number };
      /** The core's decision on every roadmap answered. */
      readonly assessment: TerritoryDecision;
    }
  | {
      readonly type: 'contacts';
      readonly region?: string;
      /** Asked in the middle of a question: the reply offers « Reprendre la question ». */
      readonly canResume?: boolean;
    }
  /** The funding measures the guide names (France Relance), from free text. */
  | { readonly type: 'funding'; readonly canResume: boolean }
  /** Outside what the guide covers: said honestly, with what the assistant can do. */
  | {
      readonly type: 'offtopic';
      readonly offtopic: 'insult' | 'topic' | 'english';
      readonly canResume: boolean;
    }
  /** A follow-up on the fiche on screen: cost, examples, level required, effort. */
  | { readonly type: 'followup'; readonly id: string; readonly topic: Exclude<Followup, 'me'> }
  | {
      readonly type: 'consent';
      readonly accepted: boolean;
      readonly answers: Readonly<Record<string, AnswerValue>>;
      readonly sector?: string;
      readonly town?: string;
    }
  | { readonly type: 'forget' }
  /** An answer to politeness that does not repeat a long prompt (a fiche, an objective). */
  | { readonly type: 'social'; readonly social: Social; readonly canResume: boolean };
