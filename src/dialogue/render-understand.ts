/**
 * The replies of issue 15 (understanding people in a conversation): funding and off-topic from
 * free text, follow-ups on a fiche, the « je ne suis pas sûr » choices, and the notices that say
 * back what was understood (an audience, a partial answer, a correction, a département overseas)
 * or what a question expects. Kept apart from `render.ts` so that each can change on its own.
 */
import type { Catalog, Fiche, Objective, ObjectiveId } from '../../catalog/schema.js';
import { type ClicContext, type Intent, type Notice, QUESTION_KIND } from '../../flows/types.js';
import { maturityLabel, prereqLabel } from '../core/index.js';
import { bold, button, card, italic, list, makeReply, para } from '../reply/build.js';
import type { Block, Button, Card, Reply } from '../reply/model.js';
import { actionId } from './interpret.js';
import { pageNote } from './present-common.js';
import { DIALOGUE_TEXT as D } from './text/common.js';
import {
  allSolutionsLabel,
  audienceNoted,
  correctedNoted,
  costWithPage,
  effortLine,
  guidePage,
  HINT,
  maturityLine,
  OFFTOPIC_TEXT,
  partialNoted,
  prereqLine,
  UNDERSTAND_TEXT as U,
} from './text/understand.js';

const MENU = (): Button => button(D.menuButton, actionId.nav('menu'));
const RESUME = (): Button => button(D.resumeButton, actionId.nav('resume'));

/** Under a detour inside a question: the question waits, one button away. */
export function resumeLine(): Block {
  return para(italic(U.resumeLine));
}

/** Notices of issue 15; undefined for the others (rendered by `render.ts`). */
export function understandNotice(catalog: Catalog, n: Notice): Block[] | undefined {
  switch (n.kind) {
    case 'audience-noted':
      return [para(audienceNoted(n.audience, n.corrected))];
    case 'which-diag':
      return [para(U.whichDiag)];
    case 'partial': {
      const q = n.question;
      const merchant = q === 'P1' || q === 'P2' || q === 'P3' || q === 'P4';
      return [para(partialNoted(merchant ? prereqLabel(catalog, q) : undefined))];
    }
    case 'corrected':
      return [para(correctedNoted(n.value))];
    case 'not-an-answer':
      return [para(HINT[QUESTION_KIND[n.question]](n.town))];
    case 'overseas':
      return [para(U.overseas)];
    case 'resume-question':
      return [para(U.resumeQuestion)];
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
        para(bold(D.fundingTitle), italic(` (${pageNote(catalog, f.page)})`)),
        para(f.intro),
        list(f.measures.map((m) => [bold(m.amount), ` ${m.text}`])),
        para(italic(f.caveat)),
        para(U.fundingHowTo),
        ...(canResume ? [resumeLine()] : []),
      ],
      buttons: [
        ...(canResume ? [RESUME()] : []),
        button(D.contactButton, actionId.nav('contact')),
        MENU(),
      ],
    }),
  ];
}

/** Outside the guide: said honestly, with what the assistant can do; never a fiche. */
export function offtopicReplies(kind: 'insult' | 'topic' | 'english', canResume: boolean): Reply[] {
  const head = kind === 'insult' ? `${OFFTOPIC_TEXT.insult}${U.offtopicTail}` : OFFTOPIC_TEXT[kind];
  return [
    makeReply({
      blocks: [
        para(kind === 'english' ? `${head}${U.frenchOnly}` : head.trim()),
        para(U.canDo),
        ...(canResume ? [resumeLine()] : []),
      ],
      buttons: [
        ...(canResume ? [RESUME()] : []),
        button(D.searchButton, actionId.nav('search')),
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
          ? list(f.costs.map((c) => costWithPage(c.text, c.page)))
          : para(U.noCost),
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
          : para(U.noExample),
      );
      break;
    case 'level':
      blocks.push(para(maturityLine(maturityLabel(catalog, f.maturity))));
      blocks.push(prerequisites(catalog, f));
      break;
    case 'effort':
      blocks.push(
        para(effortLine(maturityLabel(catalog, f.maturity), f.involvement, f.externalisable)),
      );
      if (f.vigilance.length > 0)
        blocks.push(para(bold(U.vigilance)), list(f.vigilance.slice(0, 3)));
      break;
  }
  const diag =
    state.audience === 'collectivite'
      ? button(D.territoryDiagnostic, actionId.diag('territoire'))
      : button(U.forMe, actionId.diag('commercant'));
  return [
    makeReply({
      blocks,
      buttons: [button(D.details, actionId.details(f.id)), diag, MENU()],
    }),
  ];
}

function prerequisites(catalog: Catalog, f: Fiche): Block {
  return list([
    prereqLine(
      'Commerçant',
      f.prerequisites.merchant.map((p) => prereqLabel(catalog, p)),
    ),
    prereqLine(
      'Territoire',
      f.prerequisites.territory.map((t) => prereqLabel(catalog, t.code)),
    ),
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
      blocks: [para(U.unsure), ...(canResume ? [resumeLine()] : [])],
      // Short cards: the title and one line, to choose from.
      cards: fiches.map((f) =>
        card({
          title: f.title,
          lines: [f.summary],
          buttons: [button(D.seeFiche, actionId.fiche(f.id))],
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
  return button(D.backButton, actionId.nav('back'));
}

/**
 * A goal typed in words (« je veux vendre en ligne »): the objective, what it means, and the three
 * solutions that fit the words best; the full page of the objective is one button away.
 */
export function objectiveResultReplies(o: Objective, cards: Card[], buttons: Button[]): Reply[] {
  return [
    makeReply({
      blocks: [para(bold(o.title), guidePage(o.page)), para(o.what), para(U.bestForRequest)],
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
    ...(o ? [button(label(allSolutionsLabel(o.menuLabel)), actionId.objective(id))] : []),
    audience === 'collectivite'
      ? button(D.territoryDiagnostic, actionId.diag('territoire'))
      : button(D.diagnosticOffer, actionId.diag('commercant')),
    MENU(),
  ];
}
