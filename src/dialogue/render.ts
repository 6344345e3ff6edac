/**
 * Turns the machine's reply intents into neutral replies, in French, with the guide's content:
 * the catalog gives the words and figures, the core (assessment, recommendation, bilans) decides
 * what is recommended and why. Notices are placed at the top of the next reply; closing prompts
 * (« done », « contacts ») become the buttons of the reply before them, so nothing is a dead end.
 */
import type { Catalog } from '../../catalog/schema.js';
import { promptIntent } from '../../flows/logic.js';
import type { ClicContext, Intent, Notice, PromptIntent, QuestionId } from '../../flows/types.js';
import { merchantAnswersOf } from '../core/index.js';
import { button, italic, makeReply, para } from '../reply/build.js';
import type { Block, Button, Card, Reply } from '../reply/model.js';
import { share as shareReplies } from '../reply/shared.js';
import { actionId } from './interpret.js';
import { ficheOf as fiche, ficheCard, label, menuButton, objectiveOf } from './present-common.js';
import { ficheDetails, ficheSummary } from './present-fiche.js';
import { merchantResultReplies, objectiveQuestion, objectiveReplies } from './present-merchant.js';
import { isMerchantQuestion, questionReply, roadmapQuestion } from './present-question.js';
import {
  resultViewReplies,
  supportReply,
  territoryBilanReplies,
  territoryResultReplies,
} from './present-territory.js';
import {
  followupReplies,
  fundingReplies,
  objectiveButtons,
  objectiveResultReplies,
  offtopicReplies,
  resumable,
  resumeLine,
  understandNotice,
  unsureReplies,
} from './render-understand.js';
import {
  consentThanks,
  DIALOGUE_TEXT as D,
  inObjective,
  matchesObjective,
  NOTICE_TEXT,
  objectiveNoted,
  otherSolutionsLabel,
  roadmapFindOut,
  SOCIAL_TEXT,
  seeLabel,
} from './text/common.js';
import { findOutText } from './text/merchant.js';

// === Small helpers

const MENU_BUTTON = menuButton;

/** What of the context a prompt's rendering may read: audience, sector, the P1–P4 answers. */
function profileKey(ctx: ClicContext): string {
  const a = ctx.answers;
  return `${ctx.audience ?? ''}|${ctx.sector ?? ''}|${a.P1 ?? ''}|${a.P2 ?? ''}|${a.P3 ?? ''}|${a.P4 ?? ''}`;
}

/**
 * The prompts whose replies depend only on the catalog and {@link profileKey} (the welcome, the
 * menu, an objective's solutions, a fiche and its details, the search hint) are rendered once per
 * key and shared (`share`: frozen, and their JSON and web form derived once too): thousands of
 * visitors read the same fourteen fiches. Bounded; a new catalog (tests) gets its own table.
 */
const rendered = new WeakMap<Catalog, Map<string, readonly Reply[]>>();
const MAX_RENDERED = 1000;

function once(catalog: Catalog, key: string, render: () => Reply[]): readonly Reply[] {
  let table = rendered.get(catalog);
  if (!table) {
    table = new Map();
    rendered.set(catalog, table);
  }
  let replies = table.get(key);
  if (!replies) {
    replies = shareReplies(render());
    if (table.size >= MAX_RENDERED) table.clear();
    table.set(key, replies);
  }
  return replies;
}

// === Prompts

function menuButtons(catalog: Catalog, ctx: ClicContext): Button[] {
  const diag: Button[] =
    ctx.audience === 'commercant'
      ? [button(D.myDiagnostic, actionId.diag('commercant'))]
      : ctx.audience === 'collectivite'
        ? [button(D.territoryDiagnostic, actionId.diag('territoire'))]
        : [
            button(D.shopDiagnosticChoice, actionId.diag('commercant')),
            button(D.territoryDiagnosticChoice, actionId.diag('territoire')),
          ];
  return [
    ...catalog.objectives.map((o) => button(label(o.menuLabel), actionId.objective(o.id))),
    ...diag,
    button(D.searchButton, actionId.nav('search')),
    button(D.contactButton, actionId.nav('contact')),
  ];
}

/**
 * The core's decision a prompt needs, carried by its intent (the flows make it when they emit the
 * prompt, `flows/logic.ts#promptIntent`): an intent without it is a programming error.
 */
function decided<T>(value: T | undefined, p: PromptIntent): T {
  if (value === undefined)
    throw new Error(`prompt « ${p.prompt.kind} » emitted without its decision`);
  return value;
}

function promptReplies(catalog: Catalog, ctx: ClicContext, shown: PromptIntent): readonly Reply[] {
  const p = shown.prompt;
  switch (p.kind) {
    case 'audience':
    case 'search':
      return once(catalog, p.kind, () => renderPrompt(catalog, ctx, shown));
    case 'menu':
      return once(catalog, `menu|${ctx.audience ?? ''}`, () => renderPrompt(catalog, ctx, shown));
    case 'objective':
      return once(catalog, `objective|${p.objective}|${profileKey(ctx)}`, () =>
        renderPrompt(catalog, ctx, shown),
      );
    case 'fiche':
      return once(
        catalog,
        p.details ? `details|${p.id}|${p.part ?? 1}` : `fiche|${p.id}|${profileKey(ctx)}`,
        () => renderPrompt(catalog, ctx, shown),
      );
    default:
      return renderPrompt(catalog, ctx, shown);
  }
}

function renderPrompt(catalog: Catalog, ctx: ClicContext, shown: PromptIntent): Reply[] {
  const p = shown.prompt;
  switch (p.kind) {
    case 'audience':
      return [
        makeReply({
          blocks: [para(D.welcome), para(D.youAre)],
          buttons: [
            button(D.merchant, actionId.audience('commercant')),
            button(D.town, actionId.audience('collectivite')),
            button(D.visitor, actionId.audience('visiteur')),
          ],
        }),
      ];
    case 'menu':
      return [
        makeReply({
          blocks: [
            para(ctx.audience === 'collectivite' ? D.menuTown : D.menu),
            para(italic(D.menuHint)),
          ],
          buttons: menuButtons(catalog, ctx),
        }),
      ];
    case 'objective':
      return objectiveReplies(catalog, ctx, p.objective, decided(shown.advice, shown));
    case 'fiche':
      return p.details
        ? ficheDetails(catalog, p.id, p.part ?? 1)
        : ficheSummary(catalog, p.id, decided(shown.advice, shown));
    case 'view':
      return resultViewReplies(catalog, ctx, p.view, decided(shown.assessment, shown));
    case 'search':
      return [
        makeReply({
          blocks: [para(D.searchPrompt)],
          buttons: [MENU_BUTTON()],
        }),
      ];
    case 'contacts':
    case 'done':
      return [
        makeReply({
          blocks:
            p.kind === 'done' && p.flow === 'commercant' && !ctx.objective
              ? objectiveQuestion(catalog).blocks
              : [para(D.whatNow)],
          buttons: closingButtons(catalog, ctx, shown),
        }),
      ];
    case 'question':
      return [questionReply(catalog, p, ctx)];
  }
}

function closingButtons(catalog: Catalog, ctx: ClicContext, shown: PromptIntent): Button[] {
  const p = shown.prompt;
  if (p.kind === 'done' && p.flow === 'commercant') {
    // With a profile, the flows gave the merchant's advice (the same decision as his result).
    const first = shown.advice?.recommendation.firstStep;
    return [
      ...(first
        ? [button(label(seeLabel(first.fiche.title)), actionId.fiche(first.fiche.id))]
        : []),
      // No objective chosen yet: the question below asks for one (issue 16).
      ...(ctx.objective ? [] : objectiveQuestion(catalog).buttons),
      MENU_BUTTON(),
      button(D.restartButton, actionId.nav('restart')),
    ];
  }
  if (p.kind === 'done' && p.flow === 'territoire') {
    return [
      MENU_BUTTON(),
      button(D.contactButton, actionId.nav('contact')),
      button(D.restartButton, actionId.nav('restart')),
    ];
  }
  return [MENU_BUTTON(), button(D.searchButton, actionId.nav('search'))];
}

// === Notices

/** How to find out an answer left « je ne sais pas »: the prerequisite's, or the roadmap's step 1. */
function findOut(catalog: Catalog, q: QuestionId): string {
  if (isMerchantQuestion(q)) return findOutText(catalog, q);
  const step = roadmapQuestion(catalog, q)?.roadmap.steps[0];
  return step ? roadmapFindOut(step) : '';
}

function noticeBlocks(catalog: Catalog, n: Notice): Block[] {
  const understood = understandNotice(catalog, n);
  if (understood) return understood;
  switch (n.kind) {
    case 'noted-unknown': {
      const advice = findOut(catalog, n.question);
      return [para(D.notedUnknown, advice ? ` ${advice}` : '')];
    }
    case 'clarify':
      return [para(n.text)];
    case 'objective-noted':
      return [
        para(objectiveNoted(objectiveOf(catalog, n.objective)?.menuLabel ?? D.yourObjective)),
      ];
    default:
      return (NOTICE_TEXT[n.kind] ?? []).map((line) => para(line));
  }
}

// === Assembling a turn

function uniqueButtons(buttons: readonly Button[]): Button[] {
  const seen = new Set<string>();
  return buttons.filter((b) => !seen.has(b.action) && Boolean(seen.add(b.action)));
}

/** What the dialogue layer needs beside the intents. */
export interface RenderContext {
  readonly catalog: Catalog;
  /** The machine context after the turn (audience, answers, town…). */
  readonly state: ClicContext;
}

/** The replies of one turn, from its intents in order. */
export function renderIntents(intents: readonly Intent[], rc: RenderContext): Reply[] {
  const { catalog, state } = rc;
  const replies: Reply[] = [];
  let pending: Block[] = [];
  const push = (rs: readonly Reply[]) => {
    for (const r of rs) {
      if (pending.length > 0) {
        replies.push(makeReply({ ...r, blocks: [...pending, ...r.blocks] }));
        pending = [];
      } else replies.push(r);
    }
  };
  for (const intent of intents) {
    switch (intent.type) {
      case 'notice':
        pending.push(...noticeBlocks(catalog, intent.notice));
        break;
      case 'prompt': {
        const p = intent.prompt;
        const last = replies[replies.length - 1];
        if ((p.kind === 'done' || p.kind === 'contacts') && last && pending.length === 0) {
          // A closing prompt: its buttons finish the reply before it.
          const asksObjective = p.kind === 'done' && p.flow === 'commercant' && !state.objective;
          replies[replies.length - 1] = makeReply({
            ...last,
            blocks: [...last.blocks, ...(asksObjective ? objectiveQuestion(catalog).blocks : [])],
            buttons: uniqueButtons([
              ...(last.buttons ?? []),
              ...closingButtons(catalog, state, intent),
            ]).slice(0, 12),
          });
        } else push(promptReplies(catalog, state, intent));
        break;
      }
      case 'search-results':
        push(searchReplies(catalog, intent, state));
        break;
      case 'merchant-result':
        push(merchantResultReplies(catalog, intent, intent.advice));
        break;
      case 'territory-bilan':
        push(territoryBilanReplies(catalog, intent, intent.assessment));
        break;
      case 'territory-result':
        push(territoryResultReplies(catalog, intent, intent.assessment));
        break;
      case 'contacts':
        push([
          intent.canResume
            ? resumable(supportReply(catalog, intent.region, false))
            : supportReply(catalog, intent.region, false),
        ]);
        break;
      case 'funding':
        push(fundingReplies(catalog, intent.canResume));
        break;
      case 'offtopic':
        push(offtopicReplies(intent.offtopic, intent.canResume));
        break;
      case 'followup':
        push(followupReplies(catalog, intent, state));
        break;
      case 'consent':
        push([
          makeReply({
            blocks: [
              intent.accepted && intent.town
                ? para(consentThanks(intent.town))
                : para(D.consentThanksNone),
            ],
          }),
        ]);
        break;
      case 'social':
        push([
          makeReply({
            blocks: [para(SOCIAL_TEXT[intent.social])],
            buttons: [
              ...(intent.canResume ? [button(D.resumeButton, actionId.nav('resume'))] : []),
              MENU_BUTTON(),
            ],
          }),
        ]);
        break;
      case 'forget':
        push([
          makeReply({
            blocks: [para(D.forgotten)],
          }),
        ]);
        break;
    }
  }
  // Notices with no prompt after them: the one on screen again, as the machine's reprompt shows it.
  if (pending.length > 0) push(promptReplies(catalog, state, promptIntent(state)));
  return replies;
}

function searchReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'search-results' }>,
  state: ClicContext,
): Reply[] {
  const s = intent.search;
  if (s.kind === 'fiches' && s.unsure) return unsureReplies(catalog, s.ids, intent.canResume);
  const resume = intent.canResume ? [button(D.resumeButton, actionId.nav('resume'))] : [];
  if (s.kind === 'none')
    return [
      makeReply({
        blocks: [para(D.notFound)],
        buttons: [...resume, MENU_BUTTON()],
      }),
    ];
  const cards: Card[] = [];
  for (const id of s.ids.slice(0, 3)) {
    const f = fiche(catalog, id);
    if (!f) continue;
    const o = objectiveOf(catalog, f.objective);
    cards.push(
      ficheCard(
        catalog,
        { fiche: f, reason: `${f.summary}${o ? inObjective(o.menuLabel) : ''}` },
        { whyLabel: false },
      ),
    );
  }
  const best =
    s.kind === 'objective'
      ? s.objective
      : s.ids[0]
        ? fiche(catalog, s.ids[0])?.objective
        : undefined;
  const o = best ? objectiveOf(catalog, best) : undefined;
  if (s.kind === 'objective' && o && !intent.canResume)
    return objectiveResultReplies(o, cards, objectiveButtons(catalog, o.id, state.audience));
  const intro =
    s.kind === 'objective' && o
      ? matchesObjective(o.menuLabel)
      : cards.length > 1
        ? D.bestMatches
        : D.oneMatch;
  return [
    makeReply({
      blocks: [para(intro), ...(intent.canResume ? [resumeLine()] : [])],
      cards,
      buttons: [
        ...resume,
        ...(o ? [button(label(otherSolutionsLabel(o.menuLabel)), actionId.objective(o.id))] : []),
        ...(intent.canResume ? [] : [button(D.notThat, actionId.nav('search'))]),
        // A merchant who has not done the diagnostic is offered it (DIALOGUES §4).
        ...(!intent.canResume &&
        state.audience === 'commercant' &&
        !merchantAnswersOf(state.answers)
          ? [button(D.diagnosticOffer, actionId.diag('commercant'))]
          : []),
        MENU_BUTTON(),
      ],
    }),
  ];
}
