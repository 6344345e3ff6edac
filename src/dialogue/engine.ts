/**
 * The DialogueEngine the runtime drives: restores the machine snapshot from its persisted form,
 * turns the inbound event into a machine event (global words, typed answers, search), computes
 * the next snapshot with the machine's pure transition function, collects the emitted intents
 * and renders them into replies and effects. Bad input and stale or unknown buttons get a kind
 * answer and leave the snapshot exactly as it was.
 */
import { createActor, type ExecutableActionObject, type Snapshot, type SnapshotFrom } from 'xstate';
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
import { isClicContext } from './context.js';
import { decodeAction, decodeEntry, factsEvent, textEvent } from './interpret.js';
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
  /** The instance's region (TOWN_REGION): the contact is given without asking for it. */
  readonly region?: string;
}

/** The engine, plus a peek at a snapshot's context for tests and tools. */
export interface ClicDialogueEngine extends DialogueEngine {
  /** The machine context inside a persisted snapshot (undefined when it cannot be restored). */
  inspect(snapshot: unknown): { value: unknown; context: ClicContext } | undefined;
}

type ClicSnapshot = SnapshotFrom<typeof clicMachine>;

const KIND_TEXT: Record<'empty' | 'too-long' | 'no-words', string> = {
  empty: 'Je n’ai reçu aucun texte.',
  'too-long': 'Votre message est un peu long pour moi : pouvez-vous le résumer en quelques mots ?',
  'no-words': 'Je ne lis que les mots pour l’instant.',
};

const RESTORE_TEXT =
  'Je n’ai pas pu retrouver la suite de notre conversation : reprenons depuis le début.';

/** The actor scope the machine's logic functions take. */
type ClicScope = Parameters<typeof clicMachine.transition>[2];

/**
 * The machine is pure (no invoke, no delayed transitions, no spawned actors), so a turn needs no
 * running actor: the machine's own `transition(snapshot, event, scope)` computes the next
 * snapshot and hands each action it would execute to `scope.actionExecutor`, where we record it
 * and execute nothing. That is what XState's exported `transition()` does too, except that it
 * builds a throwaway actor (and an initial snapshot) on every call, which measured slower than
 * the actor we replace. Here one scope serves every step, built on first use: a never-started
 * actor lends it `self` and `system` (nothing registers there: the machine spawns nothing).
 */
let shared: ClicScope | undefined;
/** Where the scopes record actions; set before each call (all of this is synchronous). */
let sink: ExecutableActionObject[] = [];

function createScope(): ClicScope {
  const lender = createActor(clicMachine, { input: undefined });
  const noop = (): void => {};
  return {
    self: lender,
    id: '',
    sessionId: '',
    logger: noop,
    defer: noop,
    emit: noop,
    system: lender.system,
    stopChild: noop,
    actionExecutor: (action) => {
      sink.push(action);
    },
  };
}

function machineScope(): ClicScope {
  shared ??= createScope();
  return shared;
}

/** The machine's next snapshot after one event, and the actions it would execute, in order. */
function transition(
  snapshot: ClicSnapshot,
  event: ClicEvent,
): [ClicSnapshot, ExecutableActionObject[]] {
  const actions: ExecutableActionObject[] = [];
  sink = actions;
  try {
    return [clicMachine.transition(snapshot, event, machineScope()), actions];
  } finally {
    sink = [];
  }
}

/** What a run of events left: the last snapshot and the intents emitted, in order. */
interface Ran {
  readonly snapshot: ClicSnapshot;
  readonly intents: Intent[];
}

/**
 * Sends the events one after the other, as the actor's mailbox did. The emitted intents are the
 * `xstate.emit` actions' resolved events (`params.event`). When a transition throws, the actor
 * used to keep its last snapshot with status 'error', drop what the failed event would have
 * emitted and ignore the events after it; we do the same, so the caller sees that status.
 */
function run(snapshot: ClicSnapshot, events: readonly ClicEvent[]): Ran {
  let current = snapshot;
  const intents: Intent[] = [];
  for (const event of events) {
    if (current.status !== 'active') break; // a stopped actor ignored further events
    let actions: ExecutableActionObject[];
    try {
      [current, actions] = transition(current, event);
    } catch (error) {
      current = { ...current, status: 'error', error } as ClicSnapshot;
      break;
    }
    for (const action of actions)
      if (action.type === 'xstate.emit') intents.push((action.params as { event: Intent }).event);
  }
  return { snapshot: current, intents };
}

/**
 * The machine snapshots this engine computed, by the persisted object it handed out for each:
 * when that very object comes back (the store keeps the envelopes it wrote last), the next turn
 * continues from the snapshot itself, without restoring and re-checking it. Weak: an entry goes
 * with its persisted object. Only active snapshots, as `restore` would accept.
 */
const live = new WeakMap<object, ClicSnapshot>();

/**
 * Restores a machine snapshot, or undefined when XState (or our own check) rejects it. An unknown
 * state value throws here, synchronously (the actor used to report it asynchronously, hence a
 * separate `resolveState` check before): no cache of checked values is needed any more.
 */
function restore(snapshot: unknown): ClicSnapshot | undefined {
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  const kept = live.get(snapshot);
  if (kept) return kept;
  const s = snapshot as Record<string, unknown>;
  if (s.status !== 'active' || !isClicContext(s.context)) return undefined;
  try {
    // restoreSnapshot, not resolveState: it keeps the deep history (`main.hist`) and the stored
    // fields exactly as the actor restored them. A snapshot naming child actors is not one we
    // wrote (the machine has none); XState creates them under the scope's actor, so they get a
    // scope of their own and the shared one stays clean.
    const children = s.children;
    const named = !!children && typeof children === 'object' && Object.keys(children).length > 0;
    const restored = clicMachine.restoreSnapshot(
      snapshot as Snapshot<unknown>,
      named ? createScope() : machineScope(),
    );
    return restored.status === 'active' ? restored : undefined;
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
  const region = options.region ? { region: options.region } : {};

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

  const finish = (ran: Ran, ctx: TurnContext, preface: Reply[] = []): StepResult => {
    const { snapshot: next, intents } = ran;
    const replies = [...preface, ...renderIntents(intents, { catalog, state: next.context })];
    // The same persisted form `actor.getPersistedSnapshot()` gave: old and new turns interchange.
    const snapshot = clicMachine.getPersistedSnapshot(next);
    if (next.status === 'active' && snapshot && typeof snapshot === 'object')
      live.set(snapshot, next);
    const effects = effectsOf(catalog, intents, ctx);
    return { snapshot, replies, ...(effects.length > 0 ? { effects } : {}) };
  };

  const start = (
    event: InboundEvent & { type: 'start' },
    ctx: TurnContext,
    preface: Reply[] = [],
  ): StepResult => {
    const town = event.town ?? ctx.town;
    // Actions of the initial snapshot itself are not read: the actor ran them before anyone
    // listened (and the machine has none).
    const initial = clicMachine.getInitialSnapshot(machineScope(), town ? { town } : {});
    const ran = run(initial, [
      ...figures(town),
      {
        type: 'ENTRY',
        entry: decodeEntry(catalog, event.entry),
        ...(town ? { town } : {}),
        ...region,
      },
    ]);
    return finish(ran, ctx, preface);
  };

  /** A kind line and the current prompt again; the snapshot is returned untouched. */
  const unchanged = (
    snapshot: unknown,
    current: ClicSnapshot,
    notice: Notice | string,
  ): StepResult => {
    const state = current.context;
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
      const current = restore(snapshot);
      if (!current) {
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
            ...region,
          };
          break;
        case 'action':
          machineEvent =
            typeof event.action === 'string' ? decodeAction(catalog, event.action) : undefined;
          if (!machineEvent) return unchanged(snapshot, current, { kind: 'unknown-action' });
          break;
        case 'text': {
          const text = typeof event.text === 'string' ? event.text.trim() : '';
          if (text.length === 0) return unchanged(snapshot, current, KIND_TEXT.empty);
          if ([...text].length > MAX_TEXT)
            return unchanged(snapshot, current, KIND_TEXT['too-long']);
          if (!/[\p{L}\p{N}]/u.test(text))
            return unchanged(snapshot, current, KIND_TEXT['no-words']);
          machineEvent = textEvent(catalog, getSearch(), text);
          // « Bonjour » as the very first message: the welcome just sent is the answer.
          if (machineEvent.type === 'SOCIAL' && ctx.afterStart) return { snapshot, replies: [] };
          break;
        }
        default:
          return unchanged(snapshot, current, { kind: 'unknown-action' });
      }
      const town =
        (event.type === 'start' ? event.town : undefined) ?? current.context.town ?? ctx.town;
      // The side facts of a typed message (who is talking, sector, region, town) go first.
      const facts = factsEvent(machineEvent);
      const ran = run(current, [...figures(town), ...(facts ? [facts] : []), machineEvent]);
      // Nothing emitted (or a transition threw before emitting): say so, keep the stored snapshot.
      if (ran.intents.length === 0)
        return unchanged(snapshot, ran.snapshot, { kind: 'not-understood' });
      return finish(ran, ctx);
    },
    inspect(snapshot) {
      const current = restore(snapshot);
      return current ? { value: current.value, context: current.context } : undefined;
    },
  };
}
