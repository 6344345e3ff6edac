/**
 * Turns the machine's reply intents into neutral replies, in French, with the guide's content:
 * the catalog gives the words and figures, the core (assessment, recommendation, bilans) decides
 * what is recommended and why. Notices are placed at the top of the next reply; closing prompts
 * (« done », « contacts ») become the buttons of the reply before them, so nothing is a dead end.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { ClicContext, Intent, Notice, Prompt, QuestionId } from '../../flows/types.js';
import {
  type MerchantAdvice,
  type MerchantAnswers,
  merchantAdvice,
  merchantAnswersOf,
  type ObjectiveId,
  territoryAssessment,
} from '../core/index.js';
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
  type TerritoryDecision,
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

// === The core's decisions

/**
 * The one place rendering asks the core to decide: the merchant's profile and recommendations,
 * the territory's assessment. Made once per turn (per distinct question), then handed to the
 * presenters as typed values; the presenters never call the core's rules themselves.
 */
export interface Decisions {
  /** The P1–P4 answers of the conversation, read once; `undefined` when none was given. */
  readonly profile: MerchantAnswers | undefined;
  merchant(
    answers: MerchantAnswers | undefined,
    opts: { audience: ClicContext['audience']; objective?: ObjectiveId; sector?: string },
  ): MerchantAdvice;
  territory(
    answers: Readonly<Record<string, unknown>>,
    opts: { objective?: ObjectiveId; only?: 'individuel' },
  ): TerritoryDecision;
}

export function decisions(catalog: Catalog, state: ClicContext): Decisions {
  const made = new Map<string, unknown>();
  const memo = <T>(key: string, decide: () => T): T => {
    if (!made.has(key)) made.set(key, decide());
    return made.get(key) as T;
  };
  return {
    profile: merchantAnswersOf(state.answers),
    merchant: (answers, opts) => {
      const o = { ...opts, audience: opts.audience ?? 'visiteur' };
      return memo(`m|${JSON.stringify([answers, o])}`, () => merchantAdvice(catalog, answers, o));
    },
    territory: (answers, opts) =>
      memo(`t|${JSON.stringify([answers, opts])}`, () =>
        territoryAssessment(catalog, answers, opts),
      ),
  };
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

function promptReplies(
  catalog: Catalog,
  ctx: ClicContext,
  p: Prompt,
  d: Decisions,
): readonly Reply[] {
  switch (p.kind) {
    case 'audience':
    case 'search':
      return once(catalog, p.kind, () => renderPrompt(catalog, ctx, p, d));
    case 'menu':
      return once(catalog, `menu|${ctx.audience ?? ''}`, () => renderPrompt(catalog, ctx, p, d));
    case 'objective':
      return once(catalog, `objective|${p.objective}|${profileKey(ctx)}`, () =>
        renderPrompt(catalog, ctx, p, d),
      );
    case 'fiche':
      return once(
        catalog,
        p.details ? `details|${p.id}|${p.part ?? 1}` : `fiche|${p.id}|${profileKey(ctx)}`,
        () => renderPrompt(catalog, ctx, p, d),
      );
    default:
      return renderPrompt(catalog, ctx, p, d);
  }
}

function renderPrompt(catalog: Catalog, ctx: ClicContext, p: Prompt, d: Decisions): Reply[] {
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
      return objectiveReplies(
        catalog,
        ctx,
        p.objective,
        d.merchant(d.profile, {
          audience: ctx.audience,
          objective: p.objective,
          ...(ctx.sector ? { sector: ctx.sector } : {}),
        }),
      );
    case 'fiche':
      return p.details
        ? ficheDetails(catalog, p.id, p.part ?? 1)
        : ficheSummary(catalog, p.id, ficheAdvice(catalog, ctx, p.id, d));
    case 'view':
      return resultViewReplies(
        catalog,
        ctx,
        p.view,
        d.territory(ctx.answers, ctx.objective ? { objective: ctx.objective } : {}),
      );
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
          buttons: closingButtons(catalog, ctx, p, d),
        }),
      ];
    case 'question':
      return [questionReply(catalog, p, ctx)];
  }
}

/** The merchant's result advice from the conversation (the same decision as his result). */
function merchantResultAdvice(ctx: ClicContext, d: Decisions): MerchantAdvice {
  return d.merchant(d.profile ?? {}, {
    audience: 'commercant',
    ...(ctx.objective ? { objective: ctx.objective } : {}),
    ...(ctx.sector ? { sector: ctx.sector } : {}),
  });
}

/** A fiche's « pourquoi » comes from the ranking of its objective for this person. */
function ficheAdvice(catalog: Catalog, ctx: ClicContext, id: string, d: Decisions): MerchantAdvice {
  const objective = catalog.fiches.find((f) => f.id === id)?.objective;
  return d.merchant(d.profile, {
    audience: ctx.audience,
    ...(objective ? { objective } : {}),
  });
}

function closingButtons(catalog: Catalog, ctx: ClicContext, p: Prompt, d: Decisions): Button[] {
  if (p.kind === 'done' && p.flow === 'commercant') {
    const first = d.profile ? merchantResultAdvice(ctx, d).recommendation.firstStep : undefined;
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
  const d = decisions(catalog, state);
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
              ...closingButtons(catalog, state, p, d),
            ]).slice(0, 12),
          });
        } else push(promptReplies(catalog, state, p, d));
        break;
      }
      case 'search-results':
        push(searchReplies(catalog, intent, state, d));
        break;
      case 'merchant-result':
        push(
          merchantResultReplies(
            catalog,
            intent,
            d.merchant(merchantAnswersOf(intent.answers) ?? {}, {
              audience: 'commercant',
              ...(intent.objective ? { objective: intent.objective } : {}),
              ...(intent.sector ? { sector: intent.sector } : {}),
            }),
          ),
        );
        break;
      case 'territory-bilan':
        push(
          territoryBilanReplies(
            catalog,
            intent,
            d.territory(intent.answers, {
              ...(intent.objective ? { objective: intent.objective } : {}),
              only: 'individuel',
            }),
          ),
        );
        break;
      case 'territory-result':
        push(
          territoryResultReplies(
            catalog,
            intent,
            d.territory(intent.answers, intent.objective ? { objective: intent.objective } : {}),
          ),
        );
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
  if (pending.length > 0) push(promptReplies(catalog, state, state.prompt, d));
  return replies;
}

function searchReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'search-results' }>,
  state: ClicContext,
  d: Decisions,
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
        ...(!intent.canResume && state.audience === 'commercant' && !d.profile
          ? [button(D.diagnosticOffer, actionId.diag('commercant'))]
          : []),
        MENU_BUTTON(),
      ],
    }),
  ];
}
