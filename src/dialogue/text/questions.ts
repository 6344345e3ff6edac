/**
 * The French of the questions the dialogue asks (besides P1–P4, in `merchant.ts`, and the
 * roadmaps' questions, in the catalog): the sector, shares, the town, consent, the observatory's
 * figures, what next, the region. One entry per question kind.
 */
import type { NextChoice } from '../../../flows/types.js';
import { formatShare } from '../../core/index.js';

export const QUESTION_TEXT = {
  sector:
    'Pour vous conseiller juste : votre secteur, puis 4 questions rapides. Pour commencer, dans quel secteur est votre commerce ?',
  sectorOther: 'Autre, ou je préfère ne pas dire',
  yes: 'Oui',
  no: 'Non',
  unknown: 'Je ne sais pas',
  shareHint:
    'Répondez par un pourcentage (par exemple 45), « la moitié », « un tiers »… ou « je ne sais pas ».',
  town: 'Dans quelle ville est votre commerce ? C’est facultatif : elle sert seulement au bilan anonyme des commerçants de votre ville. Écrivez son nom, ou « passer ».',
  skip: 'Passer',
  forget:
    'Voulez-vous vraiment effacer vos données ? J’efface notre conversation et, si vous l’aviez acceptée, votre contribution anonyme au bilan de votre ville.',
  forgetYes: 'Oui, tout effacer',
  forgetNo: 'Non, continuer',
  consentLead: 'Acceptez-vous que vos réponses soient comptées, ',
  consentBold: 'anonymement',
  consentWhat:
    'Ce qui est compté : la ville, votre secteur, vos 4 réponses, votre niveau et le mois — jamais qui vous êtes. Vous pourrez le retirer à tout moment en écrivant « oublier mes données ».',
  consentWhy:
    'À quoi cela sert : donner à la commune la part des commerçants présents sur le web, ayant numérisé leur gestion…, pour choisir ses actions. Aucun chiffre n’est montré en dessous de 5 commerçants.',
  consentYes: 'Oui, compter mes réponses',
  yourTown: 'votre ville',
  prefillUnknown: 'Utiliser les chiffres des commerçants de votre ville ?',
  prefillNote:
    'Ce sont les réponses des commerçants qui ont fait leur autodiagnostic et accepté d’être comptés : des chiffres déclarés, pas un recensement. Sinon, vous saisissez vos propres chiffres (3 questions).',
  prefillYes: 'Oui, utiliser ces chiffres',
  prefillNo: 'Non, je saisis mes chiffres',
  next: 'Voulez-vous aller plus loin ?',
  region:
    'Dans quelle région êtes-vous ? Je vous donnerai le contact de la Banque des Territoires. Choisissez-la, écrivez son nom, ou « passer ».',
} as const;

/** The share buttons' labels (« Environ 25 % »). */
export const aboutShare = (n: number) => `Environ ${formatShare(n)}`;

/** « Question 2/4 » */
export const progressText = (current: number, total: number) => `Question ${current}/${total}`;

/** After « anonymement », the town and the default. */
export const consentTail = (town: string) =>
  `, dans le bilan des commerçants de ${town} ? C’est « non » si vous ne répondez pas.`;

/** The observatory's figures offered to a town (issue 9). */
export const prefillText = (o: {
  respondents: number;
  town: string;
  web: number;
  connectes: number;
}) =>
  `Selon ${o.respondents} commerçants de ${o.town} : ${formatShare(o.web)} présents sur le web, ${formatShare(o.connectes)} sensibilisés au numérique — utiliser ces chiffres ?`;

/** What next after the individuel bilan. */
export const NEXT_LABEL: Readonly<Record<NextChoice, string>> = {
  collectif: 'Volet collectif (3 questions)',
  'centre-ville': 'Volet centre-ville (4 questions)',
  both: 'Les deux volets (7 questions)',
  end: 'Voir la feuille de route',
};
