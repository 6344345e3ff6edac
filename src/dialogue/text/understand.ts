/**
 * The French of understanding people (issue 15): what a question expects (one hint per answer
 * kind), what was understood (an audience, a partial answer, a correction), off-topic replies,
 * the follow-ups on a fiche, the « pas sûr » choices and the typed goals.
 */
import type { AnswerKind, AnswerValue } from '../../../flows/types.js';
import { formatShare } from '../../core/index.js';
import type { ShareParse } from '../../understand/index.js';

export const UNDERSTAND_TEXT = {
  resumeLine: 'Votre question vous attend : touchez « Reprendre la question » pour continuer.',
  canDo:
    'Je peux vous aider à choisir des outils numériques pour le commerce de centre-ville : une solution pour un besoin, un diagnostic de votre commerce ou de votre territoire, les financements et le contact de la Banque des Territoires.',
  whichDiag:
    'Quel diagnostic voulez-vous faire : celui de votre commerce (4 questions), ou celui de votre territoire (pour une collectivité) ?',
  overseas:
    'Le guide ne donne pas de contact régional de la Banque des Territoires pour l’outre-mer : je vous indique ses contacts généraux.',
  resumeQuestion: 'Reprenons la question :',
  fundingHowTo: 'Pour monter un dossier, écrivez « contact » et votre région.',
  noCost: 'Le guide ne donne pas de coût pour cette solution.',
  noExample: 'Le guide ne cite pas d’exemple pour cette solution.',
  vigilance: 'Points de vigilance',
  outsourced: 'peut être confiée à un prestataire',
  notOutsourced: 'ne se confie pas à un prestataire',
  forMe: 'Et pour moi ? (diagnostic)',
  noPrereq: 'aucun prérequis',
  unsure:
    'Je ne suis pas sûr d’avoir compris. Pensiez-vous à l’une de ces solutions ? Sinon, dites-le-moi autrement.',
  bestForRequest: 'Les solutions du guide qui correspondent le mieux à votre demande :',
  offtopicTail: 'Cela sort de ce que je sais faire.',
  frenchOnly: 'Cela sort de ce que je sais faire : je ne réponds qu’en français.',
} as const;

/** The start of an off-topic reply, by kind. */
export const OFFTOPIC_TEXT: Readonly<Record<'insult' | 'topic' | 'english', string>> = {
  insult: 'Désolé si je ne vous ai pas aidé comme il faut. ',
  topic: 'Cela sort de ce que je sais faire, désolé. ',
  english: 'Sorry, I only speak French. ',
};

/** The audience as it is said back. */
export const AUDIENCE_LABEL: Readonly<Record<string, string>> = {
  commercant: 'commerçant·e',
  collectivite: 'une collectivité',
  visiteur: 'en découverte',
};

/** An answer as it is said back (« oui », « 45 % »). */
export function answerLabel(value: AnswerValue): string {
  if (value === 'yes') return 'oui';
  if (value === 'no') return 'non';
  if (value === 'unknown') return 'je ne sais pas';
  return typeof value === 'number' ? formatShare(value) : String(value);
}

/** What a question expects, repeated when the text was no answer to it; one per answer kind. */
export const HINT: Readonly<Record<AnswerKind, (town?: string) => string>> = {
  yesno: () => 'Répondez par oui, non, « un peu », ou « je ne sais pas » — ou avec les boutons.',
  share: () =>
    'Indiquez un nombre entre 0 et 100 (par exemple 45, « la moitié », « 3 sur 10 »), ou « je ne sais pas ».',
  structure: () => 'Choisissez faible, moyenne ou forte, ou « je ne sais pas ».',
  sector: () =>
    'Dites-moi votre métier ou votre secteur (par exemple « boulangerie », « coiffure »), ou choisissez un bouton.',
  town: () => 'Écrivez le nom de votre ville, ou « passer ».',
  region: (town) =>
    town
      ? `Je ne sais pas dans quelle région se trouve ${town} : écrivez votre région ou votre département (son nom ou son numéro), ou « passer ».`
      : 'Écrivez votre région ou votre département (son nom ou son numéro, par exemple « Yonne » ou « 89 »), ou « passer ».',
  next: () => 'Choisissez un des volets proposés, ou « voir la feuille de route ».',
  consent: () => 'Répondez par oui ou non.',
  prefill: () => 'Répondez par oui ou non.',
};

/** The audience understood, or corrected. */
export const audienceNoted = (audience: string, corrected: boolean) =>
  `${corrected ? 'C’est corrigé' : 'Noté'} : vous êtes ${AUDIENCE_LABEL[audience] ?? audience}.`;

/** « un peu »: counted as « non », with the prerequisite when there is one. */
export const partialNoted = (prereq: string | undefined) =>
  `Noté « en partie »${prereq ? ` pour « ${prereq} »` : ''} : je le compte comme un non pour l’instant, le guide attendant que ce soit vraiment en place. Pour changer, touchez « Retour ».`;

/** The previous answer corrected. */
export const correctedNoted = (value: AnswerValue) =>
  `C’est corrigé : pour la question précédente, j’ai noté « ${answerLabel(value)} ». Reprenons :`;

/** A cost line with its page. */
export const costWithPage = (text: string, page: number) => `${text} (guide p. ${page})`;

/** A fiche's maturity, alone. */
export const maturityLine = (level: string) => `Maturité numérique requise : ${level}.`;

/** The effort a fiche asks. */
export const effortLine = (level: string, involvement: string, outsourced: boolean) =>
  `Maturité requise : ${level} ; implication du porteur de projet : ${involvement} ; ${outsourced ? UNDERSTAND_TEXT.outsourced : UNDERSTAND_TEXT.notOutsourced}.`;

/** The merchant's and the territory's prerequisites of a fiche. */
export const prereqLine = (who: 'Commerçant' | 'Territoire', labels: readonly string[]) =>
  `${who} : ${labels.length > 0 ? labels.map((l) => `« ${l} »`).join(', ') : UNDERSTAND_TEXT.noPrereq}`;

/** « (guide p. 30) » after an objective's title. */
export const guidePage = (page: number) => ` (guide p. ${page})`;

/** The button to all the solutions of an objective. */
export const allSolutionsLabel = (objective: string) => `Toutes les solutions : ${objective}`;

/** The question asked back when a share could not be read, by reason. */
export function shareClarifyText(parsed: Extract<ShareParse, { ok: false }>): string {
  switch (parsed.reason) {
    case 'not-a-share':
      return "Je n'ai pas compris la part. Indiquez un nombre entre 0 et 100 (par exemple 45, ou « la moitié »), ou « je ne sais pas ».";
    case 'out-of-range':
      return 'Une part va de 0 à 100 %. Quelle part, entre 0 et 100, à peu près ?';
    case 'ambiguous': {
      const shown = parsed.values.slice(0, 3).map((v) => `${v} %`);
      const last = shown.pop();
      return `J'ai lu ${shown.join(', ')} et ${last}. Quelle valeur retenir ? Un seul nombre suffit, même approximatif.`;
    }
  }
}
