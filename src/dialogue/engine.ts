/**
 * The DialogueEngine the runtime drives: restores the XState actor from its persisted snapshot,
 * turns the inbound event into a machine event (global words, typed answers, search), sends it,
 * collects the emitted intents and renders them into replies and effects. Bad input and stale
 * or unknown buttons get a kind answer and leave the snapshot exactly as it was.
 */
import { type Actor, createActor, type Snapshot } from 'xstate';
import { getCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';
import { clicMachine, FLOW_ID, FLOW_VERSION } from '../../flows/clic-machine.js';
import type {
  ClicContext,
  ClicEvent,
  Intent,
  Notice,
  ObservatoryOffer,
} from '../../flows/types.js';
import { assessMerchant, type MerchantAnswers } from '../core/index.js';
import { makeReply, para } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import type {
  DialogueEngine,
  Effect,
  InboundEvent,
  StepResult,
  TurnContext,
} from '../runtime/types.js';
import { createSearch, type Search } from '../understand/index.js';
import { decodeAction, decodeEntry, textEvent } from './interpret.js';
import { renderIntents } from './render.js';

/** Longest message the dialogue reads (the runtime refuses longer ones before us). */
export const MAX_TEXT = 1000;

/**
 * Read-only access to the merchants' observatory (issue 9): a town's figures when at least 5
 * merchants are counted, else undefined. Synchronous and side-effect free from the dialogue's
 * point of view (the observatory serves it from memory), so the machine stays pure.
 */
export interface ObservatoryProvider {
  prefill(town: string): ObservatoryOffer | undefined;
}

/** Dependencies of {@link createDialogueEngine}; defaults are the real catalog and search. */
export interface DialogueEngineOptions {
  readonly catalog?: Catalog;
  readonly search?: Search;
  /** The merchants' observatory: without it, the territory diagnostic never offers its figures. */
  readonly observatory?: ObservatoryProvider;
}

/** The engine, plus a peek at a snapshot's context for tests and tools. */
export interface ClicDialogueEngine extends DialogueEngine {
  /** The machine context inside a persisted snapshot (undefined when it cannot be restored). */
  inspect(snapshot: unknown): { value: unknown; context: ClicContext } | undefined;
}

type ClicActor = Actor<typeof clicMachine>;

const KIND_TEXT: Record<'empty' | 'too-long' | 'no-words', string> = {
  empty: 'Je n’ai reçu aucun texte.',
  'too-long': 'Votre message est un peu long pour moi : pouvez-vous le résumer en quelques mots ?',
  'no-words': 'Je ne lis que les mots pour l’instant.',
};

const RESTORE_TEXT =
  'Je n’ai pas pu retrouver la suite de notre conversation : reprenons depuis le début.';

function run(actor: ClicActor, events: readonly ClicEvent[]): Intent[] {
  const intents: Intent[] = [];
  const sub = actor.on('*', (e) => intents.push(e as Intent));
  try {
    for (const e of events) actor.send(e);
  } finally {
    sub.unsubscribe();
  }
  return intents;
}

function isClicContext(value: unknown): value is ClicContext {
  if (!value || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  const prompt = c.prompt as Record<string, unknown> | undefined;
  return (
    typeof c.seq === 'number' &&
    typeof c.index === 'number' &&
    Array.isArray(c.list) &&
    !!c.answers &&
    typeof c.answers === 'object' &&
    !!prompt &&
    typeof prompt.kind === 'string'
  );
}

/**
 * State values already checked against the machine (a machine has few): `resolveState` walks the
 * state tree, so it runs once per distinct value rather than on every turn. Bounded.
 */
const checkedValues = new Set<string>();
const MAX_CHECKED_VALUES = 1000;

/** Restores an actor, or undefined when XState (or our own check) rejects the snapshot. */
function restore(snapshot: unknown): ClicActor | undefined {
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  const s = snapshot as Record<string, unknown>;
  if (s.status !== 'active' || !isClicContext(s.context)) return undefined;
  try {
    // Check the state value first: XState would otherwise report the error asynchronously.
    const value = typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
    if (!checkedValues.has(value)) {
      clicMachine.resolveState({ value: s.value as never, context: s.context as ClicContext });
      if (checkedValues.size < MAX_CHECKED_VALUES) checkedValues.add(value);
    }
    const actor = createActor(clicMachine, {
      snapshot: snapshot as Snapshot<unknown>,
      input: undefined,
    });
    actor.start();
    const now = actor.getSnapshot();
    if (now.status !== 'active') return undefined;
    return actor;
  } catch {
    return undefined;
  }
}

function month(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

function effectsOf(catalog: Catalog, intents: readonly Intent[], ctx: TurnContext): Effect[] {
  const effects: Effect[] = [];
  for (const i of intents) {
    if (i.type === 'forget') effects.push({ type: 'forget-user' });
    if (i.type === 'consent' && i.accepted && i.town) {
      const answers: MerchantAnswers = {};
      for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
        const v = i.answers[p];
        if (v === 'yes' || v === 'no' || v === 'unknown') answers[p] = v;
      }
      effects.push({
        type: 'observatory-record',
        record: {
          town: i.town,
          sector: i.sector ?? null,
          answers,
          level: assessMerchant(catalog, answers).level,
          month: month(ctx.now),
        },
      });
    }
  }
  return effects;
}

/**
 * Creates the Clic Centre-Ville dialogue engine (one per process; it holds the search index).
 * The index (~0.1 s to build) is not built here, so that the server answers /readyz sooner: it
 * is built right after the engine's first turn (`setImmediate`, while the visitor reads the
 * welcome), or by the first typed message if one comes before — never later than that.
 */
export function createDialogueEngine(options: DialogueEngineOptions = {}): ClicDialogueEngine {
  const catalog = options.catalog ?? getCatalog();
  let search = options.search;
  const getSearch = (): Search => {
    search ??= createSearch(catalog);
    return search;
  };
  let warming = search !== undefined;
  const warmUp = (): void => {
    if (warming) return;
    warming = true;
    setImmediate(getSearch).unref();
  };
  const observatory = options.observatory;

  /** The town's observatory figures as a machine event, sent before the user's event. */
  const figures = (town: string | undefined): ClicEvent[] => {
    if (!observatory) return [];
    let offer: ObservatoryOffer | undefined;
    try {
      offer = town ? observatory.prefill(town) : undefined;
    } catch {
      offer = undefined; // the offer is a convenience: never fail a turn for it
    }
    return [{ type: 'OBSERVATORY', ...(offer ? { offer } : {}) }];
  };

  const finish = (
    actor: ClicActor,
    intents: readonly Intent[],
    ctx: TurnContext,
    preface: Reply[] = [],
  ): StepResult => {
    const state = actor.getSnapshot().context;
    const replies = [...preface, ...renderIntents(intents, { catalog, state })];
    const snapshot = actor.getPersistedSnapshot();
    actor.stop();
    const effects = effectsOf(catalog, intents, ctx);
    return { snapshot, replies, ...(effects.length > 0 ? { effects } : {}) };
  };

  const start = (
    event: InboundEvent & { type: 'start' },
    ctx: TurnContext,
    preface: Reply[] = [],
  ): StepResult => {
    const town = event.town ?? ctx.town;
    const actor = createActor(clicMachine, { input: town ? { town } : {} });
    actor.start();
    const intents = run(actor, [
      ...figures(town),
      { type: 'ENTRY', entry: decodeEntry(catalog, event.entry), ...(town ? { town } : {}) },
    ]);
    return finish(actor, intents, ctx, preface);
  };

  /** A kind line and the current prompt again; the snapshot is returned untouched. */
  const unchanged = (snapshot: unknown, actor: ClicActor, notice: Notice | string): StepResult => {
    const state = actor.getSnapshot().context;
    actor.stop();
    const intents: Intent[] = typeof notice === 'string' ? [] : [{ type: 'notice', notice }];
    const replies = renderIntents([...intents, { type: 'prompt', prompt: state.prompt }], {
      catalog,
      state,
    });
    if (typeof notice === 'string' && replies[0])
      replies[0] = makeReply({ ...replies[0], blocks: [para(notice), ...replies[0].blocks] });
    return { snapshot, replies };
  };

  return {
    flowId: FLOW_ID,
    version: FLOW_VERSION,
    start: (event, ctx) => {
      warmUp();
      return start(event, ctx);
    },
    step(snapshot, event, ctx) {
      warmUp();
      const actor = restore(snapshot);
      if (!actor) {
        // A snapshot we cannot restore: start again kindly rather than fail every turn.
        const entry: InboundEvent & { type: 'start' } =
          event.type === 'start'
            ? event
            : { type: 'start', ...(ctx.town ? { town: ctx.town } : {}) };
        return start(entry, ctx, [makeReply({ blocks: [para(RESTORE_TEXT)] })]);
      }
      let machineEvent: ClicEvent | undefined;
      switch (event.type) {
        case 'start':
          machineEvent = {
            type: 'ENTRY',
            entry: decodeEntry(catalog, event.entry),
            ...(event.town ? { town: event.town } : {}),
          };
          break;
        case 'action':
          machineEvent =
            typeof event.action === 'string' ? decodeAction(catalog, event.action) : undefined;
          if (!machineEvent) return unchanged(snapshot, actor, { kind: 'unknown-action' });
          break;
        case 'text': {
          const text = typeof event.text === 'string' ? event.text.trim() : '';
          if (text.length === 0) return unchanged(snapshot, actor, KIND_TEXT.empty);
          if ([...text].length > MAX_TEXT) return unchanged(snapshot, actor, KIND_TEXT['too-long']);
          if (!/[\p{L}\p{N}]/u.test(text)) return unchanged(snapshot, actor, KIND_TEXT['no-words']);
          machineEvent = textEvent(catalog, getSearch(), text);
          break;
        }
        default:
          return unchanged(snapshot, actor, { kind: 'unknown-action' });
      }
      const town =
        (event.type === 'start' ? event.town : undefined) ??
        actor.getSnapshot().context.town ??
        ctx.town;
      const intents = run(actor, [...figures(town), machineEvent]);
      if (intents.length === 0) return unchanged(snapshot, actor, { kind: 'not-understood' });
      return finish(actor, intents, ctx);
    },
    inspect(snapshot) {
      const actor = restore(snapshot);
      if (!actor) return undefined;
      const s = actor.getSnapshot();
      actor.stop();
      return { value: s.value, context: s.context };
    },
  };
}
