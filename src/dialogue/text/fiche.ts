/**
 * The French of a fiche as a person reads it: the summary card's labels and the « Détails »
 * pages' section titles, in the guide's order. The fiche's own words come from the catalog.
 */

/** A fiche's type, as the subtitle says it. */
export const TYPE_LABEL: Readonly<Record<string, string>> = {
  individuelle: 'solution individuelle pour le commerçant',
  collectif: 'solution collective',
  'centre-ville': 'solution de centre-ville (portée par la collectivité)',
};

/** The guide's five impacts, as a « Détails » line says them. */
export const IMPACT_LABEL: Readonly<Record<string, string>> = {
  economiqueCourtTerme: 'Impact économique à court terme',
  sensibilisation: 'Sensibilisation au numérique',
  dynamiqueCollective: 'Dynamique collective',
  promotionTerritoire: 'Promotion du territoire',
  fluxPassants: 'Flux de passants',
};

export const FICHE_TEXT = {
  example: 'Exemple : ',
  merchantNeeds: 'Ce qu’il faut au commerçant',
  townNeeds: 'Ce qu’il faut à la collectivité',
  prerequisites: 'Prérequis',
  none: 'aucun',
  involvement: 'Implication',
  costs: 'Coûts indicatifs',
  impacts: 'Impacts (+ à +++)',
  notApplicable: 'non applicable',
  vigilance: 'Points de vigilance',
  examples: 'Exemples',
  actors: 'Acteurs cités dans le guide',
  more: 'Détails (suite)',
} as const;

/** « Fiche 4 · solution collective · maturité requise : faible » */
export const ficheSubtitle = (number: number, types: readonly string[], level: string) =>
  `Fiche ${number} · ${types.map((t) => TYPE_LABEL[t] ?? t).join(', ')} · maturité requise : ${level}`;

/** « oui, sauf la création de la base de données » (the guide's nuance). */
export const externalisableText = (yes: boolean, except?: string) =>
  `${yes ? 'oui' : 'non'}${except ? `, ${except}` : ''}`;

/** The « Implication » section's two lines. */
export const involvementLines = (involvement: string, externalisable: string) => [
  `Volume d’implication du porteur de projet : ${involvement}`,
  `Externalisable : ${externalisable}`,
];

/** « Commerçant : « … », « … » » or « aucun ». */
export const prereqsLine = (who: 'Commerçant' | 'Territoire', labels: readonly string[]) =>
  `${who} : ${labels.length > 0 ? labels.join(', ') : FICHE_TEXT.none}`;

/** A cost line with its page. */
export const costLine = (text: string, page: number) => `${text} (p. ${page})`;

/** An impact line. */
export const impactLine = (label: string, rating: string) =>
  `${label} : ${rating === 'n/a' ? FICHE_TEXT.notApplicable : rating}`;

/** After an example: its trade (our reading). */
export const exampleSector = (sector: string, reading: string) =>
  ` (secteur : ${sector}, ${reading})`;

/** The details page's title. */
export const detailsTitle = (title: string, part: 1 | 2) =>
  `${title} — ${part === 1 ? 'détails' : 'détails (suite)'}`;
