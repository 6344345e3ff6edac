/**
 * The French of the dialogue itself, outside any one result: the welcome, the menu, the closing
 * prompts, the notices placed before a reply (one entry per notice kind), the social replies,
 * consent and forgetting, the search results' framing, and what the engine says of a message it
 * cannot read or a conversation it cannot restore.
 */
import type { Notice, Social } from '../../../flows/types.js';

export const DIALOGUE_TEXT = {
  welcome:
    'Bonjour 👋 Je suis l’assistant Clic Centre-Ville : je vous aide à choisir les outils numériques utiles au commerce de centre-ville, d’après le guide de la Banque des Territoires.',
  youAre: 'Vous êtes…',
  merchant: 'Commerçant·e',
  town: 'Collectivité',
  visitor: 'Je découvre',
  menuTown: 'Je souhaite… (choisissez un objectif)',
  menu: 'Que souhaitez-vous ?',
  menuHint: 'Vous pouvez aussi écrire votre besoin en quelques mots.',
  myDiagnostic: 'Faire mon diagnostic',
  territoryDiagnostic: 'Diagnostiquer mon territoire',
  shopDiagnosticChoice: 'Diagnostic de mon commerce',
  territoryDiagnosticChoice: 'Diagnostic de mon territoire',
  searchButton: 'Chercher une fiche',
  contactButton: 'Contacts et financement',
  restartButton: 'Refaire le diagnostic',
  resumeButton: 'Reprendre la question',
  searchPrompt:
    'Que cherchez-vous ? Décrivez votre besoin en quelques mots, par exemple « fidéliser mes clients » ou « les gens ne trouvent pas où se garer ».',
  whatNow: 'Que souhaitez-vous faire maintenant ?',
  consentThanksNone: 'C’est noté : rien n’est compté, vos réponses restent entre nous.',
  forgotten:
    'C’est fait : notre conversation est effacée, ainsi que votre éventuelle contribution anonyme au bilan de votre ville.',
  notFound: 'Je n’ai pas trouvé de solution du guide pour cela.',
  bestMatches: 'Voici les solutions du guide qui correspondent le mieux, la plus proche d’abord :',
  oneMatch: 'Je pense à cette solution du guide :',
  notThat: 'Ce n’est pas ça',
  diagnosticOffer: 'Mon diagnostic (4 questions)',
  notedUnknown: 'Noté : vous ne savez pas, c’est une réponse valable.',
  yourObjective: 'Votre objectif',
  menuButton: 'Menu',
  backButton: 'Retour',
  seeFiche: 'Voir la fiche',
  details: 'Détails',
  fundingTitle: 'Financements mentionnés dans le guide',
  why: 'Pourquoi : ',
  cost: 'Coût indicatif : ',
} as const;

/** « Maturité requise : faible » on a card. */
export const maturityRequired = (level: string) => `Maturité requise : ${level}`;

/** Consent accepted, with the town. */
export const consentThanks = (town: string) =>
  `Merci ! Vos réponses comptent, anonymement, dans le bilan des commerçants de ${town}. Pour les retirer : écrivez « oublier mes données ».`;

/** « Voir : <fiche> » after the merchant's result. */
export const seeLabel = (title: string) => `Voir : ${title}`;

/** The button to the rest of an objective's solutions. */
export const otherSolutionsLabel = (objective: string) => `Autres solutions : ${objective}`;

/** A search result's card line: the fiche's summary and its objective. */
export const inObjective = (objective: string) => ` (objectif « ${objective} »)`;

/** The search matched an objective. */
export const matchesObjective = (objective: string) =>
  `Cela correspond à l’objectif « ${objective} ».`;

/** An objective chosen after the result. */
export const objectiveNoted = (objective: string) => `${objective} : c’est noté.`;

/** An unknown roadmap answer: how to find out, the roadmap's own first step. */
export const roadmapFindOut = (step: { title: string; means: readonly string[] }) =>
  `Pour le savoir, la feuille de route commence justement par là : « ${step.title} » (${step.means.join(', ')}).`;

/** The fixed notices, one paragraph list per kind (the others carry their own values). */
export const NOTICE_TEXT: Partial<Readonly<Record<Notice['kind'], readonly string[]>>> = {
  hello: ['Bonjour 👋 Je suis l’assistant Clic Centre-Ville.'],
  'unknown-entry': ['Ce lien ne mène à aucune page que je connais : je vous accueille au début.'],
  stale: ['Ce bouton date d’une étape précédente. Reprenons : …'],
  'unknown-action': ['Je ne reconnais pas ce choix. Reprenons : …'],
  'not-understood': ['Je n’ai pas bien compris, désolé. Voici ce que je peux faire :'],
  'first-question': ['Nous sommes à la première question.'],
  help: [
    'Je réponds d’après le guide de la Banque des Territoires « Dynamiser le commerce de centre-ville en un clic ? ». Répondez avec les boutons ou en quelques mots.',
    'À tout moment : « menu », « retour » (question précédente), « recommencer », « contact », « oublier mes données ».',
  ],
  restart: ['C’est reparti depuis le début.'],
  'forget-cancelled': ['D’accord, je n’efface rien. Reprenons : …'],
  resume: [],
  greeting: ['Bonjour 👋 Je vous écoute.'],
  thanks: ['Avec plaisir !'],
  ack: ['Très bien !'],
};

/** The reply to a social message. */
export const SOCIAL_TEXT: Readonly<Record<Social, string>> = {
  greeting:
    'Bonjour 👋 Je vous écoute : posez votre question en quelques mots, ou revenez au menu.',
  thanks: 'Avec plaisir ! Posez-moi une autre question quand vous voulez, ou revenez au menu.',
  bye: 'Au revoir, et bonne continuation ! Vous pourrez reprendre où nous en étions.',
  ack: 'Très bien ! Posez-moi une autre question quand vous voulez, ou revenez au menu.',
};

/** A typed message the engine does not read, by why: the question on screen follows. */
export const INPUT_TEXT: Readonly<Record<'empty' | 'too-long' | 'no-words', string>> = {
  empty: 'Je n’ai reçu aucun texte.',
  'too-long': 'Votre message est un peu long pour moi : pouvez-vous le résumer en quelques mots ?',
  'no-words': 'Je ne lis que les mots pour l’instant.',
};

/** A stored conversation the engine cannot restore: it starts again, and says so. */
export const RESTORE_TEXT =
  'Je n’ai pas pu retrouver la suite de notre conversation : reprenons depuis le début.';
