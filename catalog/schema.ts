/**
 * The guide as data: zod schemas are the single source of the catalog's content types.
 * Every file under `catalog/data/` is parsed with one of these schemas at load time.
 */
import { z } from 'zod';

// === Shared vocabularies

/** Maturity levels, lowest first. Ids are ASCII; labels carry the French accents. */
export const MATURITY_LEVELS = ['tres-faible', 'faible', 'moyen', 'fort'] as const;
export const MaturityLevel = z.enum(MATURITY_LEVELS);
export type MaturityLevel = z.infer<typeof MaturityLevel>;

export const OBJECTIVE_IDS = ['o1', 'o2', 'o3', 'o4', 'o5'] as const;
export const ObjectiveId = z.enum(OBJECTIVE_IDS);
export type ObjectiveId = z.infer<typeof ObjectiveId>;

/** Merchant prerequisites P1–P4 and territory prerequisites T1–T2 (SPEC §4). */
export const MerchantPrereq = z.enum(['P1', 'P2', 'P3', 'P4']);
export type MerchantPrereq = z.infer<typeof MerchantPrereq>;
export const TerritoryPrereq = z.enum(['T1', 'T2']);
export type TerritoryPrereq = z.infer<typeof TerritoryPrereq>;

export const RoadmapId = z.enum(['individuel', 'collectif', 'centre-ville']);
export type RoadmapId = z.infer<typeof RoadmapId>;

/** A solution type as printed on a fiche (« Solution numérique individuelle pour commerçants »…). */
export const SolutionType = z.enum(['individuelle', 'collectif', 'centre-ville']);
export type SolutionType = z.infer<typeof SolutionType>;

/** Impact ratings printed on the fiches. */
export const Rating = z.enum(['+', '++', '+++', 'n/a']);
export type Rating = z.infer<typeof Rating>;
export const Involvement = z.enum(['+', '++', '+++']);

export const IMPACT_KEYS = [
  'economiqueCourtTerme',
  'sensibilisation',
  'dynamiqueCollective',
  'promotionTerritoire',
  'fluxPassants',
] as const;
export const ImpactKey = z.enum(IMPACT_KEYS);
export type ImpactKey = z.infer<typeof ImpactKey>;

export const Audience = z.enum(['commercant', 'collectivite', 'visiteur']);
export type Audience = z.infer<typeof Audience>;

const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id');
const Text = z.string().trim().min(1);
const Page = z.number().int().min(1).max(60);

/** A figure quoted from the guide, with where the guide says it comes from. */
export const Figure = z.strictObject({
  id: Slug,
  value: Text, // as printed: "13 %", "37,5 millions"
  text: Text, // what it measures, in our words
  source: Text.optional(), // the guide's footnote source, when it gives one
  page: Page,
});
export type Figure = z.infer<typeof Figure>;

/** An indicative cost. `text` is the guide's figure in words; amounts are machine-readable. */
export const Cost = z.strictObject({
  text: Text,
  amounts: z
    .array(
      z.strictObject({
        min: z.number().nonnegative(),
        max: z.number().nonnegative().optional(),
        unit: Text, // "€ HT", "€/mois/point de vente", "% par transaction"
      }),
    )
    .default([]),
  page: Page,
});
export type Cost = z.infer<typeof Cost>;

/** Data that the PDF only showed as icons may be given only when marked inferred, with why. */
const Inferred = <T extends z.ZodType>(inner: T) =>
  z.strictObject({ values: inner, inferred: z.literal(true), reason: Text });

// === Objectives

export const Objective = z.strictObject({
  id: ObjectiveId,
  number: z.number().int().min(1).max(5),
  title: Text, // « Je souhaite … » exactly as the guide
  menuLabel: Text, // short label for a button (≤ 40 chars), merchant-friendly
  what: Text, // what it is about, 1–2 sentences in our words
  why: Text, // why it matters, 1–2 sentences in our words
  keyFigures: z.array(Figure).default([]),
  interventionModes: z.array(Text).min(1), // « Modes d'intervention de la collectivité »
  partners: z.array(Text).min(1), // « Partenaires à mobiliser »
  costs: z.array(Cost).default([]), // general cost notes of the objective page
  page: Page,
});
export type Objective = z.infer<typeof Objective>;

// === Fiches

export const Fiche = z.strictObject({
  number: z.number().int().min(1).max(14),
  id: Slug,
  title: Text,
  objective: ObjectiveId,
  /** When the fiche's own header disagrees with the guide's summary (fiche 4). */
  objectiveNote: Text.optional(),
  maturity: MaturityLevel,
  types: z.array(SolutionType).min(1),
  summary: Text, // one line, our words
  description: Text, // 2–4 sentences, our words
  resources: z.strictObject({
    merchant: z.array(Text).default([]),
    collectivite: z.array(Text).default([]),
  }),
  prerequisites: z.strictObject({
    merchant: z.array(MerchantPrereq),
    territory: z.array(z.strictObject({ code: TerritoryPrereq, condition: Text.optional() })),
  }),
  involvement: Involvement, // « Volume d'implication du porteur de projet »
  externalisable: z.boolean(),
  /** The guide's own nuance to « Externalisable » (« sauf la création de la base de données »). */
  externalisableExcept: Text.optional(),
  impacts: z.strictObject({
    economiqueCourtTerme: Rating,
    sensibilisation: Rating,
    dynamiqueCollective: Rating,
    promotionTerritoire: Rating,
    fluxPassants: Rating,
  }),
  vigilance: z.array(Text).min(1),
  examples: z
    .array(
      z.strictObject({
        name: Text, // the initiative or actor, as the guide names it
        place: Text.optional(), // town or region when the guide gives one
        text: Text, // what it does, our words
        /** The trade the example's own name or text names (« Boulangerie »), our reading. */
        sector: Slug.optional(),
      }),
    )
    .min(1),
  actors: z.array(Text).default([]), // example actors named in the text (logos were lost)
  costs: z.array(Cost).default([]),
  sectors: Inferred(z.array(Slug)).optional(),
  page: Page,
});
export type Fiche = z.infer<typeof Fiche>;

// === Roadmaps

export const RoadmapQuestion = z.discriminatedUnion('kind', [
  z.strictObject({ id: Slug, kind: z.literal('share'), text: Text, short: Text }),
  z.strictObject({ id: Slug, kind: z.literal('yesno'), text: Text, short: Text }),
  z.strictObject({
    id: Slug,
    kind: z.literal('choice'),
    text: Text,
    short: Text,
    options: z.array(z.strictObject({ id: Slug, label: Text })).min(2),
  }),
]);
export type RoadmapQuestion = z.infer<typeof RoadmapQuestion>;

export const Roadmap = z.strictObject({
  id: RoadmapId,
  title: Text, // « Mettre en place des solutions numériques … »
  objective: Text,
  impact: Text,
  fiches: z.array(Slug).min(1), // « Cette feuille de route est adaptée aux fiches … »
  questions: z.array(RoadmapQuestion).min(1),
  bilan: z.strictObject({ rule: Text, details: z.array(Text).default([]) }),
  steps: z
    .array(
      z.strictObject({
        number: z.number().int().min(1).max(5),
        title: Text, // « Je … », in the guide's voice, concise
        means: z.array(Text).min(1), // « moyens »
        star: z.boolean(), // ★ étape indispensable
      }),
    )
    .length(5),
  page: Page,
});
export type Roadmap = z.infer<typeof Roadmap>;

// === Guide-wide content

export const Guide = z.strictObject({
  source: z.strictObject({
    title: Text,
    subtitle: Text,
    publisher: Text,
    edition: Text,
    url: Text,
  }),
  maturityLevels: z.array(z.strictObject({ id: MaturityLevel, label: Text })).length(4),
  prerequisites: z.array(
    z.strictObject({
      code: z.union([MerchantPrereq, TerritoryPrereq]),
      label: Text,
      short: Text,
      /** Said to a merchant who meets it (« vous avez une présence active en ligne »). */
      you: Text.optional(),
    }),
  ),
  sectors: z.array(z.strictObject({ id: Slug, label: Text })).length(7),
  journeyStages: z.array(Text).length(9),
  impacts: z
    .array(
      z.strictObject({ key: ImpactKey, label: Text, scope: z.enum(['commercant', 'territoire']) }),
    )
    .length(5),
  successFactors: z
    .array(z.strictObject({ number: z.number().int(), title: Text, points: z.array(Text).min(1) }))
    .length(6),
  generalAdvice: z.array(z.strictObject({ title: Text, text: Text })).length(6),
  contextFigures: z.array(Figure).min(3),
  funding: z.strictObject({
    intro: Text,
    caveat: Text, // « mentionnées dans le guide » — check they are still open
    measures: z.array(z.strictObject({ id: Slug, amount: Text, text: Text })).min(1),
    others: z.array(Text).default([]),
    page: Page,
  }),
  support: z.strictObject({ text: Text, page: Page }), // what BdT offers (ingénierie, AMO…)
});
export type Guide = z.infer<typeof Guide>;

export const Contacts = z.strictObject({
  regions: z.array(z.strictObject({ id: Slug, name: Text, email: z.email() })).length(13),
  page: Page,
});
export type Contacts = z.infer<typeof Contacts>;

// === Rules (SPEC §4 as tables)

export const Rules = z.strictObject({
  /** Any of these prerequisites implies the listed ones (P2–P4 imply P1). */
  implies: z.record(MerchantPrereq, z.array(MerchantPrereq)),
  /** Level derivation: first matching row wins; a row with no condition is the fallback. */
  levels: z
    .array(
      z.strictObject({
        level: MaturityLevel,
        allOf: z.array(MerchantPrereq).optional(),
        anyOf: z.array(MerchantPrereq).optional(),
        exactlyOneOf: z.array(MerchantPrereq).optional(),
      }),
    )
    .min(1),
  /** Which accessible fiches build a missing prerequisite. */
  builders: z.record(MerchantPrereq, z.array(Slug).min(1)),
  thresholds: z.strictObject({
    individuelWebActive: z.number().min(0).max(100), // guide: 60 %
    listingTarget: z.number().min(0).max(100), // guide: 100 % up-to-date listings
    listingMajority: z.number().min(0).max(100), // guide: « la majorité » référencés → 50 %
    collectifStockHigh: z.strictObject({
      value: z.number().min(0).max(100),
      convention: z.literal(true),
      why: Text,
    }),
  }),
  ratingScore: z.record(Rating, z.number()),
  rankingWeights: z.record(Audience, z.partialRecord(ImpactKey, z.number())),
  /** Each centre-ville question answered "no" points to the fiche that addresses it. */
  centreVilleGaps: z.record(Slug, z.strictObject({ fiche: Slug, why: Text })),
  /** Guide p.40: high computerised-stock share → the marketplace step; otherwise a site vitrine. */
  collectifPaths: z.strictObject({ high: Slug, low: Slug }),
  orderRule: z.strictObject({ blockedMaturity: MaturityLevel, reason: Text, page: Page }),
  /**
   * Our readings of the guide (what it does not print as such): each has the short clause shown
   * beside it wherever a person sees it, and what it is, for `docs/catalog.md`.
   */
  readings: z
    .array(
      z.strictObject({
        id: Slug,
        label: Text, // « notre lecture du guide »: one short clause
        text: Text, // what we read, and why
        shown: z.boolean(), // whether the assistant shows it to people (then labelled)
      }),
    )
    .min(1),
});
export type Rules = z.infer<typeof Rules>;

/** Free-text vocabulary: the only place where words people type are listed. */
export const Vocabulary = z.strictObject({
  fiches: z.record(
    Slug,
    z.strictObject({ keywords: z.array(Text), synonyms: z.array(Text).default([]) }),
  ),
  objectives: z.partialRecord(ObjectiveId, z.array(Text)).default({}),
  sectors: z.record(Slug, z.array(Text)).default({}),
  regions: z.record(Slug, z.array(Text)).default({}),
  answers: z.record(Slug, z.array(Text)).default({}),
  commands: z.record(Slug, z.array(Text)).default({}),
  /** Dialogue-specific words (who is talking, diagnostic choice…); `=x` matches a whole message. */
  dialogue: z.record(Slug, z.array(Text)).default({}),
  stopwords: z.array(Text).default([]),
});
export type Vocabulary = z.infer<typeof Vocabulary>;

/** The whole catalog once loaded, cross-checked and frozen. */
export interface Catalog {
  readonly guide: Guide;
  readonly objectives: readonly Objective[];
  readonly fiches: readonly Fiche[];
  readonly roadmaps: readonly Roadmap[];
  readonly contacts: Contacts;
  readonly rules: Rules;
  readonly vocabulary: Vocabulary;
}
