/**
 * Every French sentence of the merchant's side, in one place: the four questions, how to find
 * out an unknown prerequisite, the level and its basis, the clarifications (the core's codes
 * worded), and the fixed sentences of the merchant's result and the objective pages.
 */
import type { Catalog, MerchantPrereq } from '../../../catalog/schema.js';
import {
  type MerchantAssessment,
  type MerchantClarification,
  prereqLabel,
  readingLabel,
} from '../../core/index.js';

/** The four self-diagnostic questions (P1–P4), in a merchant's words. */
export const MERCHANT_QUESTION_TEXT: Readonly<Record<MerchantPrereq, string>> = {
  P1: 'Avez-vous déjà suivi une formation au numérique, ou utilisez-vous des outils numériques pour votre commerce ?',
  P2: 'Avez-vous déjà mené une démarche marketing : fichier clients, promotions, communication ?',
  P3: 'Votre commerce est-il présent et actif en ligne : fiche Google à jour, page animée sur les réseaux sociaux, site ?',
  P4: 'Avez-vous numérisé votre gestion : caisse, stocks ou commandes suivis sur ordinateur ou tablette ?',
};

/** « Prérequis du guide : « … ». » under a question. */
export const prereqNote = (catalog: Catalog, p: MerchantPrereq) =>
  `Prérequis du guide : « ${prereqLabel(catalog, p)} ».`;

/** How a merchant can find out whether they meet a prerequisite (our words, not the guide's). */
const HOW_TO_FIND_OUT: Readonly<Record<MerchantPrereq, string>> = {
  P1: 'avez-vous déjà suivi une formation ou un atelier sur le numérique, ou utilisez-vous des outils numériques pour votre commerce ? Si oui, c’est acquis.',
  P2: 'tenez-vous un fichier clients, faites-vous des promotions ou de la communication pour votre commerce ? Si oui, c’est acquis.',
  P3: 'cherchez votre commerce sur Google et sur les réseaux sociaux : une fiche à jour et une page que vous animez, c’est une présence active.',
  P4: 'votre caisse, vos stocks ou vos commandes sont-ils suivis sur ordinateur ou tablette ? Si oui, vos processus sont numérisés.',
};

/** The last line of the advice when something is unknown. */
export const ASK_CCI_TEXT = 'Votre CCI ou votre CMA peut aussi faire ce point avec vous.';

/** How to find out one prerequisite. */
export function findOutText(catalog: Catalog, p: MerchantPrereq): string {
  return `Pour savoir si vous remplissez « ${prereqLabel(catalog, p)} » : ${HOW_TO_FIND_OUT[p]}`;
}

/** How to find out, one line per unknown prerequisite, then the CCI / CMA. */
export function merchantAdviceText(catalog: Catalog, m: MerchantAssessment): string[] {
  if (m.unknown.length === 0) return [];
  return [...m.unknown.map((p) => findOutText(catalog, p)), ASK_CCI_TEXT];
}

/** The level in one sentence, and that it is our reading (the plan page). */
export function levelExplanationText(catalog: Catalog, m: MerchantAssessment): string {
  const basis =
    m.met.length === 0
      ? 'aucun prérequis du guide n’est acquis pour l’instant'
      : `prérequis acquis : ${m.met.map((p) => prereqLabel(catalog, p)).join(', ')}`;
  return `Votre niveau numérique estimé est « ${m.levelLabel} » (${basis}) : c’est notre lecture des prérequis du guide, pas une note officielle.`;
}

/** An answer read differently from what was given. */
export function merchantClarificationText(catalog: Catalog, c: MerchantClarification): string {
  switch (c.code) {
    case 'unreadable':
      return `Réponse non reconnue pour « ${prereqLabel(catalog, c.prereq)} » : nous la comptons comme « je ne sais pas ».`;
    case 'unknown-question':
      return `Question inconnue « ${c.key} » : elle est ignorée.`;
    case 'implied':
      return `Vous avez répondu non à « ${prereqLabel(catalog, c.prereq)} », mais oui à « ${c.because
        .map((q) => prereqLabel(catalog, q))
        .join(
          ' », « ',
        )} », qui le suppose (${readingLabel(catalog, 'implies')}) : nous le comptons comme acquis.`;
  }
}

// === The merchant's result and the objective pages

/** The level line's basis (« prérequis du guide acquis : … »), before « (notre lecture…) ». */
export function levelBasisText(catalog: Catalog, m: MerchantAssessment): string {
  return m.met.length === 0
    ? 'aucun prérequis du guide acquis pour l’instant'
    : `prérequis du guide acquis : ${m.met.map((p) => prereqLabel(catalog, p)).join(', ')}`;
}

/** « Pour « Vendre… », voici ce que vous pouvez lancer… » or, when nothing is reachable, the way. */
export function ownIntroText(objective: string | undefined, anyAccessible: boolean): string {
  const about = objective ? `Pour « ${objective} », ` : '';
  return anyAccessible
    ? `${about}${about ? 'voici' : 'Voici'} ce que vous pouvez lancer dès maintenant, le plus avancé d’abord :`
    : `${about}${about ? 'les' : 'Les'} solutions demandent un niveau plus élevé : commencez par la première étape ci-dessous.`;
}

export const MERCHANT_TEXT = {
  levelLead: 'Votre niveau numérique estimé : ',
  notOfficial: 'pas une note officielle',
  firstStep: 'Votre première étape : ',
  later: 'Pour plus tard',
  toCheck: ' (à vérifier)',
  mairie: 'À proposer à votre mairie : ',
  inOrder: 'Le guide conseille de prendre les étapes dans l’ordre.',
  exampleLead: 'Un exemple du guide dans votre secteur : ',
  whatNext: 'Et maintenant, que visez-vous d’abord ?',
  diagnosticButton: 'Mon diagnostic (4 questions)',
  territoryButton: 'Diagnostiquer mon territoire',
  otherObjective: 'Autre objectif',
  simplestFirst: 'Les solutions du guide, les plus simples d’abord :',
} as const;

/** « il vous manque « … », « … » (à vérifier) » */
export const missingText = (missing: readonly { label: string; unknown: boolean }[]) =>
  `il vous manque ${missing.map((m) => `« ${m.label} »${m.unknown ? MERCHANT_TEXT.toCheck : ''}`).join(', ')}`;

/** « le guide la situe au niveau « fort » (le vôtre : « moyen », notre lecture…) » */
export const aboveLevelText = (need: string, have: string, reading: string) =>
  `le guide la situe au niveau « ${need} » (le vôtre : « ${have} », ${reading})`;

/** The commune's fiches, apart: what they are, with our reading's label. */
export const mairieText = (titles: readonly string[], reading: string) =>
  `${titles.join(', ')} — des solutions que la commune met en place (${reading}).`;

/** « …, pour « Titre » (notre lecture…). » after an example's name. */
export const exampleForText = (place: string | undefined, title: string, reading: string) =>
  `${place ? ` (${place})` : ''}, pour « ${title} » (${reading}).`;

/** The button to the first step's fiche. */
export const seeFicheLabel = (title: string) => `Voir la fiche : ${title}`;

/** The objective page's intro for a diagnosed merchant. */
export const rankedForLevelText = (level: string) =>
  `Les solutions, classées pour votre niveau (${level}) :`;

/** The objective page's intro when all its fiches share one maturity. */
export const oneMaturityText = (level: string) =>
  `Les solutions du guide (maturité requise : ${level}) :`;

/** « Dans le guide : « Je souhaite… » (guide p. 30, …). » */
export const inGuideText = (title: string, page: string) =>
  `Dans le guide : « ${title} » (${page}).`;
