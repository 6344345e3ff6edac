/**
 * The Clic Centre-Ville dialogue as one XState v5 machine: accueil, the « Je souhaite… » menu,
 * objectif, fiche, recherche, contacts, the merchant self-diagnostic and the territory
 * diagnostic, plus the « oublier mes données » confirmation. Pure: no invoke, no delayed
 * transitions, no I/O. It receives interpreted events (see ./types.ts) and emits reply intents;
 * the dialogue layer (src/dialogue) turns them into French replies with the guide's content.
 */
import { and, enqueueActions, not, raise, setup } from 'xstate';
import type { Audience } from '../catalog/schema.js';
import {
  acceptPrefill,
  answerOf,
  ask,
  askAt,
  askLast,
  askNext,
  atFirst,
  atLast,
  chain,
  currentQuestion,
  extraSequence,
  initialContext,
  merchantDone,
  merchantResult,
  notice,
  type Outcome,
  patch,
  previousCorrection,
  readAnswer,
  readOf,
  record,
  refusePrefill,
  reprompt,
  say,
  show,
  startMerchant,
  startSequence,
  startTerritory,
  territoryBilan,
  territoryResult,
} from './logic.js';
import type {
  ClicContext,
  ClicEvent,
  Intent,
  MachineEvent,
  ReadEvent,
  SearchOutcome,
  SideEvent,
} from './types.js';

/** Stored with every snapshot; a different id means the snapshot is not ours. */
export const FLOW_ID = 'clic-centre-ville';
/** Bump when a persisted snapshot of the previous version could no longer be restored safely. */
export const FLOW_VERSION = 1;

type Logic = (ctx: ClicContext, event: MachineEvent) => Outcome;

const act = (logic: Logic) =>
  enqueueActions<
    ClicContext,
    MachineEvent,
    undefined,
    MachineEvent,
    never,
    never,
    never,
    never,
    Intent
  >(({ context, event, enqueue }) => {
    const out = logic(context, event);
    if (Object.keys(out.patch).length > 0) enqueue.assign(out.patch);
    for (const intent of out.intents) enqueue.emit(intent);
  });

/**
 * TEXT and ACTION read against the question on screen — the one call of `readAnswer` for the
 * event — as the event the states handle; any other event as it is.
 */
function withRead(ctx: ClicContext, e: ClicEvent): ClicEvent | ReadEvent {
  if (e.type === 'TEXT')
    return { type: 'TEXT_READ', text: e.text, u: e.u, read: readAnswer(ctx, e) };
  if (e.type === 'ACTION')
    return { type: 'ACTION_READ', action: e.action, read: readAnswer(ctx, e) };
  return e;
}

/** What a side event changes: the town's figures, or the side facts of a typed message. */
const sideFacts = (ctx: ClicContext, e: SideEvent): Outcome => {
  if (e.type === 'OBSERVATORY') return { patch: { observatory: e.offer }, intents: [] };
  // Side facts are kept quietly; a stated region replaces a former one, the rest fills gaps.
  return {
    patch: {
      ...(e.audience && (!ctx.audience || ctx.audience === 'visiteur')
        ? { audience: e.audience }
        : {}),
      ...(e.sector && !ctx.sector ? { sector: e.sector } : {}),
      ...(e.region ? { region: e.region } : {}),
      ...(e.town && !ctx.town ? { town: e.town } : {}),
    },
    intents: [],
  };
};

const actionOf = (e: MachineEvent) => (e.type === 'ACTION_READ' ? e.action : undefined);
const textOf = (e: MachineEvent) => (e.type === 'TEXT_READ' ? e.u : undefined);

/** The search outcome of a text, without the fiches the person said were not it. */
function searchOf(ctx: ClicContext, e: MachineEvent): SearchOutcome {
  const u = textOf(e);
  if (!u) return { kind: 'none' };
  const s = u.search;
  const rejected = ctx.rejected ?? [];
  if (rejected.length === 0 || s.kind === 'none') return s;
  const ids = s.ids.filter((id) => !rejected.includes(id));
  if (ids.length === 0) return { kind: 'none' };
  return { ...s, ids };
}

/** The fiche a follow-up is about: the one open, or the first of the results just shown. */
function ficheOnScreen(ctx: ClicContext): string | undefined {
  if (ctx.prompt.kind === 'fiche') return ctx.prompt.id;
  return ctx.prompt.kind === 'search' ? ctx.shown?.[0] : undefined;
}

/** A follow-up on the fiche on screen; global intents (contact, funding…) come first. */
function followupOf(ctx: ClicContext, e: MachineEvent) {
  const u = textOf(e);
  if (!u || !ficheOnScreen(ctx)) return undefined;
  if (u.contact || u.funding || u.offtopic || u.correction || u.diag) return undefined;
  // A longer text that names a need of its own is a new search (« combien de gens passent… »).
  const s = u.search;
  const need = s.kind === 'objective' || (s.kind === 'fiches' && !s.unsure);
  const words = e.type === 'TEXT_READ' ? e.text.split(/\s+/).filter((w) => /\p{L}/u.test(w)) : [];
  if (need && words.length > 6) return undefined;
  return u.followup;
}

/**
 * The text asks for the diagnostic `flow`: by its name, or as « mon diagnostic » from its
 * `audience` (said in the text, or known before).
 */
function asksDiagnostic(
  ctx: ClicContext,
  e: MachineEvent,
  flow: 'commercant' | 'territoire',
  audience: Audience,
): boolean {
  const u = textOf(e);
  return u?.diag === flow || (u?.diag === 'any' && (u.audience ?? ctx.audience) === audience);
}

/** A detour inside a question: say something, keep the question, « ok » is then no answer. */
const aside = patch({ aside: true });

/** The machine's types, guards and actions; the helpers below are typed from it. */
const clicSetup = setup({
  types: {
    context: {} as ClicContext,
    events: {} as MachineEvent,
    emitted: {} as Intent,
    input: {} as { town?: string } | undefined,
  },
  guards: {
    // --- answers to the current question
    // (read once per event, in `withRead`; the guards look at that reading)
    isStale: ({ event }) => readOf(event).kind === 'stale',
    isInvalid: ({ event }) => readOf(event).kind === 'invalid',
    isClarify: ({ event }) => readOf(event).kind === 'clarify',
    isAnswer: ({ event }) => readOf(event).kind === 'answer',
    isLastInList: ({ context }) => atLast(context.at),
    isFirstInList: ({ context }) => atFirst(context.at),
    answersEnd: ({ event }) => answerOf(event) === 'end',
    answersSkip: ({ event }) => answerOf(event) === 'skip',
    answersYes: ({ event }) => answerOf(event) === 'yes',
    townKnown: ({ context }) => Boolean(context.town),
    /** The merchant diagnostic began with P1: the sector was known (see `startMerchant`). */
    sectorSkipped: ({ context }) =>
      context.prompt.kind === 'question' && context.prompt.question !== 'sector',
    regionKnown: ({ context }) => Boolean(context.region),
    inExtraBatch: ({ context }) => context.at?.sequence !== 'individuel',
    hasObjective: ({ context }) => Boolean(context.objective),
    isCollectivite: ({ context }) => context.audience === 'collectivite',
    inMerchantDiag: ({ context }) => {
      const q = currentQuestion(context)?.question;
      return q === 'sector' || q === 'town' || q === 'consent' || /^P[1-4]$/.test(q ?? '');
    },
    inTerritoryDiag: ({ context }) => {
      const q = currentQuestion(context)?.question;
      return q !== undefined && q !== 'forget' && !/^(?:sector|town|consent|P[1-4])$/.test(q);
    },
    isCommercant: ({ context }) => context.audience === 'commercant',
    isPrefillQuestion: ({ context }) => currentQuestion(context)?.question === 'prefill',
    hasObservatoryOffer: ({ context }) => Boolean(context.observatory),
    // --- buttons
    isAudienceAction: ({ event }) => actionOf(event)?.kind === 'audience',
    isObjectiveAction: ({ event }) => actionOf(event)?.kind === 'objective',
    isFicheAction: ({ event }) => actionOf(event)?.kind === 'fiche',
    isDetailsAction: ({ event }) => actionOf(event)?.kind === 'details',
    isMerchantDiagAction: ({ event }) => {
      const a = actionOf(event);
      return a?.kind === 'diag' && a.flow === 'commercant';
    },
    isTerritoryDiagAction: ({ event }) => {
      const a = actionOf(event);
      return a?.kind === 'diag' && a.flow === 'territoire';
    },
    isSearchAction: ({ event }) => actionOf(event)?.kind === 'search',
    isContactsAction: ({ event }) => actionOf(event)?.kind === 'contacts',
    isResumeAction: ({ event }) => actionOf(event)?.kind === 'resume',
    isViewAction: ({ event }) => actionOf(event)?.kind === 'view',
    // --- global words
    isMenu: ({ event }) => event.type === 'COMMAND' && event.command === 'menu',
    isHelp: ({ event }) => event.type === 'COMMAND' && event.command === 'aide',
    isBack: ({ event }) => event.type === 'COMMAND' && event.command === 'retour',
    isRestart: ({ event }) => event.type === 'COMMAND' && event.command === 'recommencer',
    isContact: ({ event }) => event.type === 'COMMAND' && event.command === 'contact',
    isForget: ({ event }) => event.type === 'COMMAND' && event.command === 'oublier',
    // --- free text
    textNamesAudience: ({ event }) => Boolean(textOf(event)?.audience),
    textAsksMerchantDiag: ({ context, event }) =>
      asksDiagnostic(context, event, 'commercant', 'commercant'),
    textAsksTerritoryDiag: ({ context, event }) =>
      asksDiagnostic(context, event, 'territoire', 'collectivite'),
    textAsksDiag: ({ event }) => Boolean(textOf(event)?.diag),
    textIsAck: ({ event }) => textOf(event)?.ack === true,
    textIsAckAside: ({ context, event }) => context.aside === true && textOf(event)?.ack === true,
    textIsContact: ({ event }) => textOf(event)?.contact === true,
    textIsOverseas: ({ event }) => textOf(event)?.overseas === true,
    textNamesTownAtRegion: ({ context, event }) =>
      currentQuestion(context)?.question === 'region' && Boolean(textOf(event)?.townNamed),
    textIsFunding: ({ event }) => textOf(event)?.funding === true,
    textAsksHelp: ({ event }) => textOf(event)?.help === true,
    textIsOfftopic: ({ event }) => Boolean(textOf(event)?.offtopic),
    textIsSocial: ({ event }) => Boolean(textOf(event)?.social),
    textIsCorrection: ({ context, event }) => {
      // A bare correction goes back; one that names a need is the need (« en fait je voudrais… »).
      const s = searchOf(context, event);
      return (
        textOf(event)?.correction === true &&
        s.kind !== 'objective' &&
        !(s.kind === 'fiches' && !s.unsure)
      );
    },
    textCorrectsAudience: ({ event }) => {
      const u = textOf(event);
      return Boolean(u?.correction && u.audience);
    },
    textCorrectsPrevious: ({ context, event }) => Boolean(previousCorrection(context, event)),
    textRejects: ({ event }) => textOf(event)?.reject === true,
    textFollowsUp: ({ context, event }) => {
      const f = followupOf(context, event);
      return f !== undefined && f !== 'me';
    },
    textAsksForMe: ({ context, event }) => followupOf(context, event) === 'me',
    searchIsSure: ({ context, event }) => {
      const s = searchOf(context, event);
      return s.kind === 'fiches' && !s.unsure;
    },
    searchIsUnsure: ({ context, event }) => {
      const s = searchOf(context, event);
      return s.kind === 'fiches' && s.unsure === true;
    },
    searchFindsObjective: ({ event }) => textOf(event)?.search.kind === 'objective',
    // --- deep links
    entryObjective: ({ event }) => event.type === 'ENTRY' && event.entry.kind === 'objective',
    entryFiche: ({ event }) => event.type === 'ENTRY' && event.entry.kind === 'fiche',
    entryMerchant: ({ event }) =>
      event.type === 'ENTRY' && event.entry.kind === 'diag' && event.entry.flow === 'commercant',
    entryTerritory: ({ event }) =>
      event.type === 'ENTRY' && event.entry.kind === 'diag' && event.entry.flow === 'territoire',
  },
  actions: {
    // --- reading: TEXT and ACTION are read once and raised again as TEXT_READ / ACTION_READ
    read: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'TEXT' || event.type === 'ACTION') enqueue.raise(withRead(context, event));
    }),
    /** A whole turn: the side events' changes, then its event, read against that context. */
    turn: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'TURN') return;
      // (side events say nothing: only their context changes are kept)
      const side = chain(context, ...event.before.map((b) => (c: ClicContext) => sideFacts(c, b)));
      if (Object.keys(side.patch).length > 0) enqueue.assign(side.patch);
      enqueue.raise(withRead({ ...context, ...side.patch }, event.event));
    }),
    // --- entry and navigation
    enter: act((ctx, e) => {
      if (e.type !== 'ENTRY') return { patch: {}, intents: [] };
      const town = e.town ?? ctx.town;
      const fresh = { ...initialContext(town), seq: ctx.seq };
      // What the instance or the person already gave (town, region) is kept, never asked again.
      const reset = patch({
        ...fresh,
        audience: undefined,
        objective: undefined,
        region: e.region ?? ctx.region,
      });
      const entry = e.entry;
      switch (entry.kind) {
        case 'objective':
          return chain(
            ctx,
            reset,
            notice({ kind: 'hello' }),
            patch({ objective: entry.objective }),
            show({ kind: 'objective', objective: entry.objective }),
          );
        case 'fiche':
          return chain(
            ctx,
            reset,
            notice({ kind: 'hello' }),
            show({ kind: 'fiche', id: entry.id, details: false }),
          );
        case 'diag':
          return chain(
            ctx,
            reset,
            notice({ kind: 'hello' }),
            entry.flow === 'commercant' ? startMerchant : startTerritory,
          );
        case 'unknown':
          return chain(ctx, reset, notice({ kind: 'unknown-entry' }), show({ kind: 'audience' }));
        case 'none':
          return chain(ctx, reset, show({ kind: 'audience' }));
      }
    }),
    chooseAudience: act((ctx, e) => {
      const a = actionOf(e);
      const audience = a?.kind === 'audience' ? a.audience : textOf(e)?.audience;
      return chain(
        ctx,
        patch({ audience }),
        // Typed, it is said back: the menu never comes back without a sentence saying why.
        e.type === 'TEXT_READ' && audience
          ? notice({ kind: 'audience-noted', audience, corrected: Boolean(e.u.correction) })
          : patch({}),
        show({ kind: 'menu' }),
      );
    }),
    keepSideFacts: act((ctx, e) =>
      e.type === 'FACTS' || e.type === 'OBSERVATORY'
        ? sideFacts(ctx, e)
        : { patch: {}, intents: [] },
    ),
    askWhichDiag: act((ctx) => chain(ctx, notice({ kind: 'which-diag' }), show({ kind: 'menu' }))),
    showFunding: act((ctx) => chain(ctx, say({ type: 'funding', canResume: false }))),
    offtopic: act((ctx, e) =>
      chain(
        ctx,
        say({ type: 'offtopic', offtopic: textOf(e)?.offtopic ?? 'topic', canResume: false }),
      ),
    ),
    textSocial: act((ctx, e) => {
      const social = textOf(e)?.social ?? 'ack';
      const prompt = ctx.prompt.kind;
      if (social !== 'bye' && prompt !== 'fiche' && prompt !== 'objective' && prompt !== 'question')
        return chain(ctx, notice({ kind: social }), reprompt);
      return chain(
        ctx,
        say({ type: 'social', social, canResume: prompt === 'question' }),
        prompt === 'question' ? aside : patch({}),
      );
    }),
    // --- detours inside a question: answered, the question stays with « Reprendre »
    detourContacts: act((ctx) =>
      chain(
        ctx,
        say({ type: 'contacts', ...(ctx.region ? { region: ctx.region } : {}), canResume: true }),
        aside,
      ),
    ),
    detourFunding: act((ctx) => chain(ctx, say({ type: 'funding', canResume: true }), aside)),
    detourOfftopic: act((ctx, e) =>
      chain(
        ctx,
        say({ type: 'offtopic', offtopic: textOf(e)?.offtopic ?? 'topic', canResume: true }),
        aside,
      ),
    ),
    notAnAnswer: act((ctx, e) => {
      const q = currentQuestion(ctx);
      if (!q) return chain(ctx, notice({ kind: 'not-understood' }), reprompt);
      const town = textOf(e)?.townNamed;
      return chain(
        ctx,
        notice({ kind: 'not-an-answer', question: q.question, ...(town ? { town } : {}) }),
        reprompt,
      );
    }),
    resumeQuestion: act((ctx) =>
      chain(ctx, notice({ kind: 'resume-question' }), patch({ aside: undefined }), reprompt),
    ),
    correctPrevious: act((ctx, e) => {
      const c = previousCorrection(ctx, e);
      if (!c) return chain(ctx, reprompt);
      return chain(
        ctx,
        patch({ answers: { ...ctx.answers, [c.question]: c.value } }),
        notice({ kind: 'corrected', question: c.question, value: c.value }),
        reprompt,
      );
    }),
    back: raise({ type: 'COMMAND', command: 'retour' }),
    followup: act((ctx, e) => {
      const f = textOf(e)?.followup;
      const id = ficheOnScreen(ctx);
      if (!id || !f || f === 'me') return chain(ctx, reprompt);
      return chain(ctx, say({ type: 'followup', id, topic: f }));
    }),
    rejectResults: act((ctx) =>
      chain(
        ctx,
        patch({
          rejected: [
            ...new Set([
              ...(ctx.rejected ?? []),
              ...(ctx.shown ?? []),
              ...(ctx.prompt.kind === 'fiche' ? [ctx.prompt.id] : []),
            ]),
          ].slice(-14),
        }),
        show({ kind: 'search' }),
      ),
    ),
    openObjective: act((ctx, e) => {
      const a = actionOf(e);
      const objective =
        a?.kind === 'objective'
          ? a.objective
          : e.type === 'TEXT_READ' && e.u.search.kind === 'objective'
            ? e.u.search.objective
            : ctx.objective;
      if (!objective) return chain(ctx, show({ kind: 'menu' }));
      return chain(
        ctx,
        e.type === 'TEXT_READ' ? notice({ kind: 'objective-noted', objective }) : patch({}),
        e.type === 'TEXT_READ' && e.u.audience ? patch({ audience: e.u.audience }) : patch({}),
        patch({ objective }),
        show({ kind: 'objective', objective }),
      );
    }),
    openFiche: act((ctx, e) => {
      const a = actionOf(e);
      const id =
        a?.kind === 'fiche' || a?.kind === 'details'
          ? a.id
          : ctx.prompt.kind === 'fiche'
            ? ctx.prompt.id
            : undefined;
      if (!id) return chain(ctx, show({ kind: 'menu' }));
      const part = a?.kind === 'details' && a.part ? { part: a.part } : {};
      return chain(ctx, show({ kind: 'fiche', id, details: a?.kind === 'details', ...part }));
    }),
    openSearch: act((ctx) =>
      chain(
        ctx,
        // « Ce n'est pas ça » on results: what was shown is set aside for the next search.
        ctx.prompt.kind === 'search' && ctx.shown
          ? patch({ rejected: [...new Set([...(ctx.rejected ?? []), ...ctx.shown])].slice(-14) })
          : patch({}),
        show({ kind: 'search' }),
      ),
    ),
    openView: act((ctx, e) => {
      const a = actionOf(e);
      return a?.kind === 'view' ? chain(ctx, show({ kind: 'view', view: a.view })) : reprompt(ctx);
    }),
    showSearchResults: act((ctx, e) => {
      if (e.type !== 'TEXT_READ') return chain(ctx, reprompt);
      const search = searchOf(ctx, e);
      return chain(
        ctx,
        search.kind === 'objective'
          ? (c) =>
              chain(
                c,
                notice({ kind: 'objective-noted', objective: search.objective }),
                patch({ objective: search.objective }),
              )
          : patch({}),
        say({ type: 'search-results', search, canResume: false }),
        patch({
          prompt: { kind: 'search' },
          aside: undefined,
          shown: search.kind === 'none' ? [] : search.ids.slice(0, 3),
        }),
      );
    }),
    notUnderstood: act((ctx) =>
      chain(ctx, notice({ kind: 'not-understood' }), show({ kind: 'menu' })),
    ),
    showMenu: act((ctx) => chain(ctx, show({ kind: 'menu' }))),
    showAudience: act((ctx) => chain(ctx, show({ kind: 'audience' }))),
    help: act((ctx) => chain(ctx, notice({ kind: 'help' }), reprompt)),
    resync: act((ctx) => chain(ctx, notice({ kind: 'stale' }), reprompt)),
    unknownAction: act((ctx) => chain(ctx, notice({ kind: 'unknown-action' }), reprompt)),
    clarify: act((ctx, e) => {
      const r = readOf(e);
      return chain(
        ctx,
        notice({ kind: 'clarify', text: r.kind === 'clarify' ? r.text : '' }),
        reprompt,
      );
    }),
    resume: act((ctx) => chain(ctx, reprompt)),
    social: act((ctx, e) => {
      const social = e.type === 'SOCIAL' ? e.social : 'ack';
      const prompt = ctx.prompt.kind;
      // The welcome already says « Bonjour »: it is simply asked again.
      if (social === 'greeting' && prompt === 'audience') return chain(ctx, reprompt);
      // A short prompt (a question, the menu…) follows the greeting or the thanks; a fiche or an
      // objective is not shown again, and « au revoir » is not followed by a question.
      if (social !== 'bye' && prompt !== 'fiche' && prompt !== 'objective')
        return chain(ctx, notice({ kind: social }), reprompt);
      return chain(ctx, say({ type: 'social', social, canResume: prompt === 'question' }));
    }),
    firstQuestion: act((ctx) => chain(ctx, notice({ kind: 'first-question' }), reprompt)),
    searchInQuestion: act((ctx, e) => {
      const search = searchOf(ctx, e);
      if (search.kind === 'none') return chain(ctx, notice({ kind: 'not-understood' }), reprompt);
      return chain(ctx, say({ type: 'search-results', search, canResume: true }), aside);
    }),
    restartAll: act((ctx) =>
      chain(
        ctx,
        patch({
          ...initialContext(ctx.town),
          seq: ctx.seq,
          audience: undefined,
          objective: undefined,
        }),
        notice({ kind: 'restart' }),
        show({ kind: 'audience' }),
      ),
    ),
    // --- merchant self-diagnostic
    startMerchant: act((ctx, e) =>
      chain(
        ctx,
        // « recommencer » starts over: the sector is asked again.
        e.type === 'COMMAND' ? notice({ kind: 'restart' }) : patch({}),
        e.type === 'COMMAND' ? patch({ sector: undefined }) : patch({}),
        startMerchant,
      ),
    ),
    answerSector: act((ctx, e) => {
      const value = answerOf(e);
      return chain(
        ctx,
        patch({ sector: value === 'unknown' ? undefined : String(value) }),
        startSequence('merchant'),
      );
    }),
    answerAndAskNext: act((ctx, e) =>
      chain(ctx, record(e), (c) => askAt((c.at?.index ?? 0) + 1)(c)),
    ),
    answerLastMerchant: act((ctx, e) =>
      chain(ctx, record(e), (c) =>
        c.town ? chain(c, merchantResult, ask('consent')) : ask('town')(c),
      ),
    ),
    answerTown: act((ctx, e) => {
      const value = answerOf(e);
      // Without a town there is no town observatory to count in: no consent question.
      if (value === 'skip') return chain(ctx, merchantDone);
      return chain(ctx, patch({ town: String(value) }), merchantResult, ask('consent'));
    }),
    answerConsent: act((ctx, e) => {
      const accepted = answerOf(e) === 'yes';
      return chain(
        ctx,
        say((c) => ({
          type: 'consent',
          accepted,
          answers: c.answers,
          ...(c.sector ? { sector: c.sector } : {}),
          ...(c.town ? { town: c.town } : {}),
        })),
        show({ kind: 'done', flow: 'commercant' }),
      );
    }),
    backInList: act((ctx) => chain(ctx, askAt((ctx.at?.index ?? 0) - 1))),
    backToSector: act((ctx) => chain(ctx, ask('sector'))),
    backToLastMerchant: act((ctx) => chain(ctx, askLast('merchant'))),
    backToTown: act((ctx) => chain(ctx, ask('town'))),
    // --- the merchants' observatory (issue 9)
    acceptPrefill: act((ctx) => chain(ctx, acceptPrefill)),
    refusePrefill: act((ctx) => chain(ctx, refusePrefill)),
    // --- territory diagnostic
    startTerritory: act((ctx, e) =>
      chain(ctx, e.type === 'COMMAND' ? notice({ kind: 'restart' }) : patch({}), startTerritory),
    ),
    answerLastIndividuel: act((ctx, e) => chain(ctx, record(e), territoryBilan(), askNext)),
    chooseExtra: act((ctx, e) => {
      const sequence = extraSequence(answerOf(e));
      return sequence
        ? chain(ctx, startSequence(sequence))
        : chain(ctx, patch({ at: undefined }), reprompt);
    }),
    finishTerritory: act((ctx, e) =>
      chain(ctx, currentQuestion(ctx)?.question === 'next' ? patch({}) : record(e), (c) =>
        c.region
          ? chain(c, territoryResult, show({ kind: 'done', flow: 'territoire' }))
          : ask('region')(c),
      ),
    ),
    answerRegion: act((ctx, e) => {
      const value = answerOf(e);
      return chain(
        ctx,
        value === 'overseas' ? notice({ kind: 'overseas' }) : patch({}),
        value === 'skip' || value === 'overseas' ? patch({}) : patch({ region: String(value) }),
        territoryResult,
        show({ kind: 'done', flow: 'territoire' }),
      );
    }),
    backToNext: act((ctx) => chain(ctx, askNext)),
    backToLastIndividuel: act((ctx) => chain(ctx, askLast('individuel'))),
    backToLastExtra: act((ctx) => chain(ctx, ctx.at ? askLast(ctx.at.sequence) : reprompt)),
    // --- contacts
    openContacts: act((ctx, e) =>
      textOf(e)?.overseas
        ? chain(
            ctx,
            notice({ kind: 'overseas' }),
            say({ type: 'contacts' }),
            show({ kind: 'contacts' }),
          )
        : ctx.region
          ? chain(ctx, say({ type: 'contacts', region: ctx.region }), show({ kind: 'contacts' }))
          : chain(ctx, ask('region')),
    ),
    answerContactsRegion: act((ctx, e) => {
      const value = answerOf(e);
      return chain(
        ctx,
        value === 'overseas' ? notice({ kind: 'overseas' }) : patch({}),
        value === 'skip' || value === 'overseas' ? patch({}) : patch({ region: String(value) }),
        say((c) => ({ type: 'contacts', ...(c.region ? { region: c.region } : {}) })),
        show({ kind: 'contacts' }),
      );
    }),
    // --- « oublier mes données »
    askForget: act((ctx) => chain(ctx, patch({ held: ctx.prompt }), ask('forget'))),
    forget: act((ctx) =>
      chain(
        ctx,
        say({ type: 'forget' }),
        patch({ ...initialContext(), seq: ctx.seq, audience: undefined, objective: undefined }),
        patch({ town: undefined, region: undefined, sector: undefined }),
        show({ kind: 'audience' }),
      ),
    ),
    cancelForget: act((ctx) =>
      chain(
        ctx,
        notice({ kind: 'forget-cancelled' }),
        patch({ prompt: ctx.held ?? { kind: 'menu' }, held: undefined }),
        reprompt,
      ),
    ),
  },
});

// === Transition builders: the question steps share one shape, written once here

/** One transition, typed by the setup so every guard and action name stays checked. */
type Route = Exclude<
  Extract<
    NonNullable<NonNullable<Parameters<typeof clicSetup.createStateConfig>[0]['on']>['*']>,
    readonly unknown[]
  >[number],
  string | undefined
>;
/** A guard of the setup, by name. */
type GuardName = Extract<Route['guard'], string>;
/** An action of the setup, by name. */
type ActionName = Extract<Route['actions'], string>;

/** A route without a target: the event is answered where the dialogue stands. */
const inPlace = (guard: GuardName, actions: ActionName): Route => ({ guard, actions });

/**
 * The ACTION and TEXT transitions of a step that waits for an answer, tried in this order: a
 * stale button resyncs; then `first`; then, for text and only with `clarify`, a clarification;
 * then `answers`. A button that fits none is « action inconnue »; text that fits none is searched
 * in the guide.
 */
const answerOn = (answers: Route[], opts: { first?: Route[]; clarify?: boolean } = {}) => {
  const first = opts.first ?? [];
  const clarify: Route[] = opts.clarify ? [{ guard: 'isClarify', actions: 'clarify' }] : [];
  return {
    ACTION_READ: [
      { guard: 'isStale', actions: 'resync' },
      ...first,
      ...answers,
      { guard: 'isInvalid', actions: 'unknownAction' },
    ] satisfies Route[],
    TEXT_READ: [
      // « ok » after a detour is no answer to a question it did not follow.
      { guard: 'textIsAckAside', actions: 'resumeQuestion' },
      { guard: 'textCorrectsPrevious', actions: 'correctPrevious' },
      ...first,
      ...clarify,
      ...answers,
      ...DETOURS,
    ] satisfies Route[],
  };
};

/**
 * Text that is no answer to the question on screen, in the order: a correction, the
 * global intents, then a need; each is answered and the question stays, with « Reprendre ».
 * Whatever is left gets the question's own hint.
 */
const DETOURS: Route[] = [
  // « on est à Sens » at the region question: the town is kept, the region asked again.
  { guard: 'textNamesTownAtRegion', actions: 'notAnAnswer' },
  { guard: 'textCorrectsAudience', target: '#clic.main.menu', actions: 'chooseAudience' },
  { guard: 'textIsCorrection', actions: 'back' },
  // A diagnostic asked for: the other one starts; the one under way simply goes on.
  {
    guard: and(['textAsksTerritoryDiag', not('inTerritoryDiag')]),
    target: '#clic.main.territoire',
    actions: 'startTerritory',
  },
  {
    guard: and(['textAsksMerchantDiag', not('inMerchantDiag')]),
    target: '#clic.main.commercant',
    actions: 'startMerchant',
  },
  inPlace('textAsksDiag', 'resumeQuestion'),
  inPlace('textIsContact', 'detourContacts'),
  inPlace('textIsFunding', 'detourFunding'),
  inPlace('textAsksHelp', 'help'),
  inPlace('textIsOfftopic', 'detourOfftopic'),
  inPlace('textIsSocial', 'textSocial'),
  inPlace('searchFindsObjective', 'searchInQuestion'),
  inPlace('searchIsSure', 'searchInQuestion'),
  { actions: 'notAnAnswer' },
];

/** An answer step with a single way on: any valid answer runs `actions` and goes to `target`. */
const answerTo = (target: string, actions: ActionName) =>
  answerOn([{ guard: 'isAnswer', target, actions }]);

/**
 * The two routes of a closing answer (`when`): straight to `done` when `known` holds (the town or
 * region is already known), else to `ask`, the step that asks for it.
 */
const closeRoutes = (
  when: GuardName,
  known: GuardName,
  actions: ActionName,
  done: string,
  ask: string,
): Route[] => [
  { guard: and(['isAnswer', when, known]), target: done, actions },
  { guard: and(['isAnswer', when]), target: ask, actions },
];

/** « Retour » inside a question list: `atFirst` on the first question, else the previous one. */
const backInList = (atFirst: Omit<Route, 'guard'>): Route[] => [
  { guard: and(['isBack', 'isFirstInList']), ...atFirst },
  { guard: 'isBack', actions: 'backInList' },
];

/**
 * Follow-ups read in the context of the fiche on screen, or of the first result just shown: cost,
 * examples, level, effort; « et pour moi ? » → the diagnostic that fits who is talking.
 */
const FOLLOWUPS: Route[] = [
  { guard: 'textFollowsUp', actions: 'followup' },
  {
    guard: and(['textAsksForMe', 'isCollectivite']),
    target: '#clic.main.territoire',
    actions: 'startTerritory',
  },
  {
    guard: and(['textAsksForMe', 'isCommercant']),
    target: '#clic.main.commercant',
    actions: 'startMerchant',
  },
  { guard: 'textAsksForMe', target: '#clic.main.menu', actions: 'askWhichDiag' },
];

/** The contacts, by word or button (`when`): shown at once when the region is known, else asked. */
const openContacts = (when: GuardName): Route[] => [
  { guard: and([when, 'textIsOverseas']), target: '.contacts.shown', actions: 'openContacts' },
  { guard: and([when, 'regionKnown']), target: '.contacts.shown', actions: 'openContacts' },
  { guard: when, target: '.contacts', actions: 'openContacts' },
];

/** The dialogue machine. Its snapshot is what the runtime persists between turns. */
export const clicMachine = clicSetup.createMachine({
  id: 'clic',
  context: ({ input }) => initialContext(input?.town),
  initial: 'boot',
  on: {
    OBSERVATORY: { actions: 'keepSideFacts' },
    FACTS: { actions: 'keepSideFacts' },
    TURN: { actions: 'turn' },
    // Typed text and buttons are read once here, then handled by the states as *_READ.
    TEXT: { actions: 'read' },
    ACTION: { actions: 'read' },
    SOCIAL: { actions: 'social' },
    ENTRY: [
      { guard: 'entryObjective', target: '.main.objectif', actions: 'enter' },
      { guard: 'entryFiche', target: '.main.fiche', actions: 'enter' },
      { guard: 'entryMerchant', target: '.main.commercant', actions: 'enter' },
      { guard: 'entryTerritory', target: '.main.territoire', actions: 'enter' },
      { target: '.main.accueil', actions: 'enter' },
    ],
  },
  states: {
    /** Waiting for the start event (a deep link or nothing). */
    boot: {},
    main: {
      initial: 'accueil',
      on: {
        COMMAND: [
          { guard: 'isMenu', target: '.menu', actions: 'showMenu' },
          { guard: 'isHelp', actions: 'help' },
          ...openContacts('isContact'),
          { guard: 'isForget', target: '#clic.oubli', actions: 'askForget' },
          { guard: 'isRestart', target: '.accueil', actions: 'restartAll' },
          { guard: 'isBack', target: '.menu', actions: 'showMenu' },
        ],
        ACTION_READ: [
          { guard: 'isAudienceAction', target: '.menu', actions: 'chooseAudience' },
          { guard: 'isObjectiveAction', target: '.objectif', actions: 'openObjective' },
          { guard: 'isFicheAction', target: '.fiche', actions: 'openFiche' },
          { guard: 'isDetailsAction', target: '.fiche.details', actions: 'openFiche' },
          { guard: 'isMerchantDiagAction', target: '.commercant', actions: 'startMerchant' },
          { guard: 'isTerritoryDiagAction', target: '.territoire', actions: 'startTerritory' },
          { guard: 'isSearchAction', target: '.recherche', actions: 'openSearch' },
          ...openContacts('isContactsAction'),
          { guard: 'isResumeAction', actions: 'resume' },
          { guard: 'isViewAction', actions: 'openView' },
          { guard: 'isStale', actions: 'resync' },
          { actions: 'unknownAction' },
        ],
        // Free text outside a question (issue 15): a correction, the global intents, then the
        // need (sure), who is talking, the closest choices (unsure), and only then « pas compris ».
        TEXT_READ: [
          { guard: 'textCorrectsAudience', target: '.menu', actions: 'chooseAudience' },
          { guard: 'textIsCorrection', actions: 'back' },
          ...openContacts('textIsContact'),
          { guard: 'textIsFunding', actions: 'showFunding' },
          { guard: 'textAsksMerchantDiag', target: '.commercant', actions: 'startMerchant' },
          { guard: 'textAsksTerritoryDiag', target: '.territoire', actions: 'startTerritory' },
          { guard: 'textAsksDiag', target: '.menu', actions: 'askWhichDiag' },
          { guard: 'textAsksHelp', actions: 'help' },
          { guard: 'textIsOfftopic', actions: 'offtopic' },
          { guard: 'textIsSocial', actions: 'textSocial' },
          // A goal typed in words: the objective is noted, its best three solutions shown (its
          // full page is one button away).
          { guard: 'searchFindsObjective', target: '.recherche', actions: 'showSearchResults' },
          { guard: 'searchIsSure', target: '.recherche', actions: 'showSearchResults' },
          { guard: 'searchIsUnsure', target: '.recherche', actions: 'showSearchResults' },
          { guard: 'textNamesAudience', target: '.menu', actions: 'chooseAudience' },
          { guard: 'textIsAck', actions: 'social' },
          { target: '.menu', actions: 'notUnderstood' },
        ],
      },
      states: {
        accueil: {
          on: { COMMAND: { guard: 'isBack', actions: 'firstQuestion' } },
        },
        menu: {
          on: { COMMAND: { guard: 'isBack', target: 'accueil', actions: 'showAudience' } },
        },
        objectif: {},
        fiche: {
          initial: 'summary',
          on: {
            TEXT_READ: [
              ...FOLLOWUPS,
              { guard: 'textRejects', target: '#clic.main.recherche', actions: 'rejectResults' },
            ],
          },
          states: {
            summary: {
              on: {
                COMMAND: [
                  {
                    guard: and(['isBack', 'hasObjective']),
                    target: '#clic.main.objectif',
                    actions: 'openObjective',
                  },
                ],
              },
            },
            details: {
              on: { COMMAND: { guard: 'isBack', target: 'summary', actions: 'openFiche' } },
            },
          },
        },
        recherche: {
          on: { TEXT_READ: [...FOLLOWUPS, { guard: 'textRejects', actions: 'rejectResults' }] },
        },
        contacts: {
          initial: 'region',
          states: {
            region: { on: answerTo('shown', 'answerContactsRegion') },
            shown: {},
          },
        },
        commercant: {
          initial: 'secteur',
          on: { COMMAND: { guard: 'isRestart', target: '.secteur', actions: 'startMerchant' } },
          states: {
            secteur: {
              always: { guard: 'sectorSkipped', target: 'questions' },
              on: {
                ...answerTo('questions', 'answerSector'),
                COMMAND: { guard: 'isBack', actions: 'firstQuestion' },
              },
            },
            questions: {
              on: {
                ...answerOn([
                  ...closeRoutes(
                    'isLastInList',
                    'townKnown',
                    'answerLastMerchant',
                    'consentement',
                    'ville',
                  ),
                  { guard: 'isAnswer', actions: 'answerAndAskNext' },
                ]),
                COMMAND: backInList({ target: 'secteur', actions: 'backToSector' }),
              },
            },
            ville: {
              on: {
                ...answerOn([
                  { guard: and(['isAnswer', 'answersSkip']), target: 'fin', actions: 'answerTown' },
                  { guard: 'isAnswer', target: 'consentement', actions: 'answerTown' },
                ]),
                COMMAND: { guard: 'isBack', target: 'questions', actions: 'backToLastMerchant' },
              },
            },
            consentement: {
              on: {
                ...answerTo('fin', 'answerConsent'),
                COMMAND: { guard: 'isBack', target: 'ville', actions: 'backToTown' },
              },
            },
            fin: {},
          },
        },
        territoire: {
          initial: 'individuel',
          on: { COMMAND: { guard: 'isRestart', target: '.individuel', actions: 'startTerritory' } },
          states: {
            individuel: {
              on: {
                ...answerOn(
                  [
                    {
                      guard: and(['isAnswer', 'isLastInList']),
                      target: 'bilan',
                      actions: 'answerLastIndividuel',
                    },
                    { guard: 'isAnswer', actions: 'answerAndAskNext' },
                  ],
                  {
                    // The observatory's offer to prefill comes first (issue 9).
                    first: [
                      {
                        guard: and([
                          'isPrefillQuestion',
                          'isAnswer',
                          'answersYes',
                          'hasObservatoryOffer',
                        ]),
                        target: 'bilan',
                        actions: 'acceptPrefill',
                      },
                      { guard: and(['isPrefillQuestion', 'isAnswer']), actions: 'refusePrefill' },
                    ],
                    clarify: true,
                  },
                ),
                COMMAND: backInList({ actions: 'firstQuestion' }),
              },
            },
            bilan: {
              on: {
                ...answerOn([
                  ...closeRoutes('answersEnd', 'regionKnown', 'finishTerritory', 'fin', 'region'),
                  { guard: 'isAnswer', target: 'extra', actions: 'chooseExtra' },
                ]),
                COMMAND: { guard: 'isBack', target: 'individuel', actions: 'backToLastIndividuel' },
              },
            },
            extra: {
              on: {
                ...answerOn(
                  [
                    ...closeRoutes(
                      'isLastInList',
                      'regionKnown',
                      'finishTerritory',
                      'fin',
                      'region',
                    ),
                    { guard: 'isAnswer', actions: 'answerAndAskNext' },
                  ],
                  { clarify: true },
                ),
                COMMAND: backInList({ target: 'bilan', actions: 'backToNext' }),
              },
            },
            region: {
              on: {
                ...answerTo('fin', 'answerRegion'),
                COMMAND: [
                  {
                    guard: and(['isBack', 'inExtraBatch']),
                    target: 'extra',
                    actions: 'backToLastExtra',
                  },
                  { guard: 'isBack', target: 'bilan', actions: 'backToNext' },
                ],
              },
            },
            fin: {},
          },
        },
        hist: { type: 'history', history: 'deep' },
      },
    },
    /** « Oublier mes données » asks for confirmation first. */
    oubli: {
      on: {
        ACTION_READ: [
          { guard: 'isStale', actions: 'resync' },
          {
            guard: and(['isAnswer', 'answersYes']),
            target: 'main.accueil',
            actions: 'forget',
          },
          { guard: 'isAnswer', target: 'main.hist', actions: 'cancelForget' },
          { guard: 'isInvalid', actions: 'unknownAction' },
          { target: 'main.hist', actions: 'cancelForget' },
        ],
        TEXT_READ: [
          {
            guard: and(['isAnswer', 'answersYes']),
            target: 'main.accueil',
            actions: 'forget',
          },
          { target: 'main.hist', actions: 'cancelForget' },
        ],
        COMMAND: [
          { guard: 'isForget', actions: 'resume' },
          { target: 'main.hist', actions: 'cancelForget' },
        ],
      },
    },
  },
});
