/**
 * The replies of issue 15 (understanding people in a conversation): funding and off-topic from
 * free text, follow-ups on a fiche, the « je ne suis pas sûr » choices, and the notices that say
 * back what was understood (an audience, a partial answer, a correction, a département overseas)
 * or what a question expects. Kept apart from `render.ts` so that each can change on its own.
 */
import type { Catalog, Fiche, Objective, ObjectiveId } from '../../catalog/schema.js';
import {
  type AnswerValue,
  type ClicContext,
  type Intent,
  type Notice,
  QUESTION_KIND,
  type QuestionId,
} from '../../flows/types.js';
import { formatShare, maturityLabel, prereqLabel } from '../core/index.js';
import { bold, button, card, italic, list, makeReply, para } from '../reply/build.js';
import type { Block, Button, Card, Reply } from '../reply/model.js';
import { actionId } from './interpret.js';
import { pageNote } from './present-common.js';

const MENU = (): Button => button('Menu', actionId.nav('menu'));
const RESUME = (): Button => button('Reprendre la question', actionId.nav('resume'));

/** Under a detour inside a question: the question waits, one button away. */
export function resumeLine(): Block {
  return para(
    italic('Votre question vous attend : touchez « Reprendre la question » pour continuer.'),
  );
}

/** What the assistant can do, said after an off-topic message or a doubt. */
const CAN_DO =
  'Je peux vous aider à choisir des outils numériques pour le commerce de centre-ville : une solution pour un besoin, un diagnostic de votre commerce ou de votre territoire, les financements et le contact de la Banque des Territoires.';

const OFFTOPIC_TEXT: Record<'insult' | 'topic' | 'english', string> = {
  insult: 'Désolé si je ne vous ai pas aidé comme il faut. ',
  topic: 'Cela sort de ce que je sais faire, désolé. ',
  english: 'Sorry, I only speak French. ',
};

const AUDIENCE_LABEL: Record<string, string> = {
  commercant: 'commerçant·e',
  collectivite: 'une collectivité',
  visiteur: 'en découverte',
};

function answerLabel(value: AnswerValue): string {
  if (value === 'yes') return 'oui';
  if (value === 'no') return 'non';
  if (value === 'unknown') return 'je ne sais pas';
  return typeof value === 'number' ? formatShare(value) : String(value);
}

/** The hint of a question, repeated when the text was no answer to it. */
function hintFor(question: QuestionId, town?: string): string {
  switch (QUESTION_KIND[question]) {
    case 'yesno':
      return 'Répondez par oui, non, « un peu », ou « je ne sais pas » — ou avec les boutons.';
    case 'share':
      return 'Indiquez un nombre entre 0 et 100 (par exemple 45, « la moitié », « 3 sur 10 »), ou « je ne sais pas ».';
    case 'structure':
      return 'Choisissez faible, moyenne ou forte, ou « je ne sais pas ».';
    case 'sector':
      return 'Dites-moi votre métier ou votre secteur (par exemple « boulangerie », « coiffure »), ou choisissez un bouton.';
    case 'town':
      return 'Écrivez le nom de votre ville, ou « passer ».';
    case 'region':
      return town
        ? `Je ne sais pas dans quelle région se trouve ${town} : écrivez votre région ou votre département (son nom ou son numéro), ou « passer ».`
        : 'Écrivez votre région ou votre département (son nom ou son numéro, par exemple « Yonne » ou « 89 »), ou « passer ».';
    case 'next':
      return 'Choisissez un des volets proposés, ou « voir la feuille de route ».';
    case 'consent':
    case 'prefill':
      return 'Répondez par oui ou non.';
  }
}

/** Notices of issue 15; undefined for the others (rendered by `render.ts`). */
export function understandNotice(catalog: Catalog, n: Notice): Block[] | undefined {
  switch (n.kind) {
    case 'audience-noted':
      return [
        para(
          n.corrected
            ? `C’est corrigé : vous êtes ${AUDIENCE_LABEL[n.audience] ?? n.audience}.`
            : `Noté : vous êtes ${AUDIENCE_LABEL[n.audience] ?? n.audience}.`,
        ),
      ];
    case 'which-diag':
      return [
        para(
          'Quel diagnostic voulez-vous faire : celui de votre commerce (4 questions), ou celui de votre territoire (pour une collectivité) ?',
        ),
      ];
    case 'partial': {
      const what =
        n.question === 'P1' || n.question === 'P2' || n.question === 'P3' || n.question === 'P4'
          ? ` pour « ${prereqLabel(catalog, n.question)} »`
          : '';
      return [
        para(
          `Noté « en partie »${what} : je le compte comme un non pour l’instant, le guide attendant que ce soit vraiment en place. Pour changer, touchez « Retour ».`,
        ),
      ];
    }
    case 'corrected':
      return [
        para(
          `C’est corrigé : pour la question précédente, j’ai noté « ${answerLabel(n.value)} ». Reprenons :`,
        ),
      ];
    case 'not-an-answer':
      return [para(hintFor(n.question, n.town))];
    case 'overseas':
      return [
        para(
          'Le guide ne donne pas de contact régional de la Banque des Territoires pour l’outre-mer : je vous indique ses contacts généraux.',
        ),
      ];
    case 'resume-question':
      return [para('Reprenons la question :')];
    default:
      return undefined;
  }
}

/** A reply given in the middle of a question: it says the question waits, one button away. */
export function resumable(reply: Reply): Reply {
  return makeReply({
    blocks: [...reply.blocks, resumeLine()],
    ...(reply.cards ? { cards: reply.cards } : {}),
    buttons: [RESUME(), ...(reply.buttons ?? [])],
  });
}

/** The funding measures the guide names (France Relance), with how to reach the bank. */
export function fundingReplies(catalog: Catalog, canResume: boolean): Reply[] {
  const f = catalog.guide.funding;
  return [
    makeReply({
      blocks: [
        para(
          bold('Financements mentionnés dans le guide'),
          italic(` (${pageNote(catalog, f.page)})`),
        ),
        para(f.intro),
        list(f.measures.map((m) => [bold(m.amount), ` ${m.text}`])),
        para(italic(f.caveat)),
        para('Pour monter un dossier, écrivez « contact » et votre région.'),
        ...(canResume ? [resumeLine()] : []),
      ],
      buttons: [
        ...(canResume ? [RESUME()] : []),
        button('Contacts et financement', actionId.nav('contact')),
        MENU(),
      ],
    }),
  ];
}

/** Outside the guide: said honestly, with what the assistant can do; never a fiche. */
export function offtopicReplies(kind: 'insult' | 'topic' | 'english', canResume: boolean): Reply[] {
  const head =
    kind === 'insult'
      ? `${OFFTOPIC_TEXT.insult}Cela sort de ce que je sais faire.`
      : OFFTOPIC_TEXT[kind];
  return [
    makeReply({
      blocks: [
        para(
          kind === 'english'
            ? `${head}Cela sort de ce que je sais faire : je ne réponds qu’en français.`
            : head.trim(),
        ),
        para(CAN_DO),
        ...(canResume ? [resumeLine()] : []),
      ],
      buttons: [
        ...(canResume ? [RESUME()] : []),
        button('Chercher une fiche', actionId.nav('search')),
        MENU(),
      ],
    }),
  ];
}

/** A follow-up on the fiche on screen, answered from the fiche itself. */
export function followupReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'followup' }>,
  state: ClicContext,
): Reply[] {
  const f = catalog.fiches.find((x) => x.id === intent.id);
  if (!f) return [];
  const blocks: Block[] = [para(bold(f.title))];
  switch (intent.topic) {
    case 'cost':
      blocks.push(
        f.costs.length > 0
          ? list(f.costs.map((c) => `${c.text} (guide p. ${c.page})`))
          : para('Le guide ne donne pas de coût pour cette solution.'),
      );
      break;
    case 'example':
      blocks.push(
        f.examples.length > 0
          ? list(
              f.examples.map((e) => [
                bold(e.name),
                `${e.place ? ` (${e.place})` : ''} — ${e.text}`,
              ]),
            )
          : para('Le guide ne cite pas d’exemple pour cette solution.'),
      );
      break;
    case 'level':
      blocks.push(para(`Maturité numérique requise : ${maturityLabel(catalog, f.maturity)}.`));
      blocks.push(prerequisites(catalog, f));
      break;
    case 'effort':
      blocks.push(
        para(
          `Maturité requise : ${maturityLabel(catalog, f.maturity)} ; implication du porteur de projet : ${f.involvement} ; ${f.externalisable ? 'peut être confiée à un prestataire' : 'ne se confie pas à un prestataire'}.`,
        ),
      );
      if (f.vigilance.length > 0)
        blocks.push(para(bold('Points de vigilance')), list(f.vigilance.slice(0, 3)));
      break;
  }
  const diag =
    state.audience === 'collectivite'
      ? button('Diagnostiquer mon territoire', actionId.diag('territoire'))
      : button('Et pour moi ? (diagnostic)', actionId.diag('commercant'));
  return [
    makeReply({
      blocks,
      buttons: [button('Détails', actionId.details(f.id)), diag, MENU()],
    }),
  ];
}

function prerequisites(catalog: Catalog, f: Fiche): Block {
  return list([
    `Commerçant : ${
      f.prerequisites.merchant.length > 0
        ? f.prerequisites.merchant.map((p) => `« ${prereqLabel(catalog, p)} »`).join(', ')
        : 'aucun prérequis'
    }`,
    `Territoire : ${
      f.prerequisites.territory.length > 0
        ? f.prerequisites.territory.map((t) => `« ${prereqLabel(catalog, t.code)} »`).join(', ')
        : 'aucun prérequis'
    }`,
  ]);
}

/** « Je ne suis pas sûr » with the closest fiches as choices. */
export function unsureReplies(
  catalog: Catalog,
  ids: readonly string[],
  canResume: boolean,
): Reply[] {
  const fiches = ids
    .map((id) => catalog.fiches.find((f) => f.id === id))
    .filter((f): f is Fiche => Boolean(f))
    .slice(0, 3);
  return [
    makeReply({
      blocks: [
        para(
          'Je ne suis pas sûr d’avoir compris. Pensiez-vous à l’une de ces solutions ? Sinon, dites-le-moi autrement.',
        ),
        ...(canResume ? [resumeLine()] : []),
      ],
      // Short cards: the title and one line, to choose from.
      cards: fiches.map((f) =>
        card({
          title: f.title,
          lines: [f.summary],
          buttons: [button('Voir la fiche', actionId.fiche(f.id))],
        }),
      ),
      buttons: [...(canResume ? [RESUME()] : []), MENU()],
    }),
  ];
}

function label(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 58).trimEnd()}…`;
}

/** The « Retour » button of a question that has one before it. */
export function backButton(): Button {
  return button('Retour', actionId.nav('back'));
}

/**
 * A goal typed in words (« je veux vendre en ligne »): the objective, what it means, and the three
 * solutions that fit the words best; the full page of the objective is one button away.
 */
export function objectiveResultReplies(o: Objective, cards: Card[], buttons: Button[]): Reply[] {
  return [
    makeReply({
      blocks: [
        para(bold(o.title), ` (guide p. ${o.page})`),
        para(o.what),
        para('Les solutions du guide qui correspondent le mieux à votre demande :'),
      ],
      cards: cards.slice(0, 3),
      buttons,
    }),
  ];
}

/** The buttons under a typed goal: all its solutions, the diagnostic, the menu. */
export function objectiveButtons(
  catalog: Catalog,
  id: ObjectiveId,
  audience: ClicContext['audience'],
): Button[] {
  const o = catalog.objectives.find((x) => x.id === id);
  return [
    ...(o ? [button(label(`Toutes les solutions : ${o.menuLabel}`), actionId.objective(id))] : []),
    audience === 'collectivite'
      ? button('Diagnostiquer mon territoire', actionId.diag('territoire'))
      : button('Mon diagnostic (4 questions)', actionId.diag('commercant')),
    MENU(),
  ];
}
