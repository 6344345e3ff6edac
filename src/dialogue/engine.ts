/**
 * The DialogueEngine the runtime drives: restores the machine snapshot from its persisted form,
 * turns the inbound event into a machine event (global words, typed answers, search), computes
 * the next snapshot with XState's pure `transition()`, collects the emitted intents and renders
 * them into replies and effects. Bad input and stale or unknown buttons get a kind answer and
 * leave the snapshot exactly as it was. Every piece of state lives in the engine instance.
 */
import {
  createActor,
  type ExecutableActionObject,
  initialTransition,
  type Snapshot,
  type SnapshotFrom,
  transition,
} from 'xstate';
import { getCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';
import { clicMachine, FLOW_ID, FLOW_VERSION } from '../../flows/clic-machine.js';
import { promptIntent } from '../../flows/logic.js';
import {
  type ClicContext,
  type ClicEvent,
  type Intent,
  type Notice,
  type ObservatoryOffer,
  SEQUENCES,
  type Sequence,
  type SideEvent,
} from '../../flows/types.js';
import { assessMerchant, merchantAnswersOf } from '../core/index.js';
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
import { INPUT_TEXT, RESTORE_TEXT } from './text/common.js';

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

/** `understood: false` when the intents say « pas compris » (for the offer of a person). */
function understoodOf(intents: readonly Intent[]): Pick<StepResult, 'understood'> {
  return intents.some((i) => i.type === 'notice' && i.notice.kind === 'not-understood')
    ? { understood: false }
    : {};
}

/** What a turn left: the next snapshot and the intents emitted, in order. */
interface Ran {
  readonly snapshot: ClicSnapshot;
  readonly intents: Intent[];
}

/** The intents of a transition: the events of its `xstate.emit` actions, in order. */
function intentsOf(actions: readonly ExecutableActionObject[]): Intent[] {
  const intents: Intent[] = [];
  for (const action of actions)
    if (action.type === 'xstate.emit') intents.push((action.params as { event: Intent }).event);
  return intents;
}

/**
 * One turn with XState's pure `transition(machine, snapshot, event)`: the side events and the
 * event go in as one TURN event, the machine applying them in order, so a turn is one call (the
 * public function builds a throwaway actor on each call). The machine is pure (no invoke, no
 * delayed transitions, no spawned actors): the actions it returns are only recorded, and only
 * the emitted intents are read. When the transition throws, the snapshot is kept, marked
 * 'error', and nothing is said: the caller answers « pas compris » and stores nothing new.
 */
function play(snapshot: ClicSnapshot, before: readonly SideEvent[], event: ClicEvent): Ran {
  try {
    const [next, actions] = transition(clicMachine, snapshot, { type: 'TURN', before, event });
    return { snapshot: next, intents: intentsOf(actions) };
  } catch (error) {
    return { snapshot: { ...snapshot, status: 'error', error } as ClicSnapshot, intents: [] };
  }
}

const SEQUENCE_NAMES = Object.keys(SEQUENCES) as Sequence[];

/**
 * A context stored before the position in the questions became one field: its questionnaire
 * (`list`) and index become `at`, so a conversation under way goes on where it was. Undefined
 * when the list is no questionnaire of ours (the conversation then restarts kindly).
 */
function upgrade(context: unknown): unknown {
  if (!context || typeof context !== 'object' || !('list' in context)) return context;
  const { list, index, ...rest } = context as { list: unknown; index: unknown };
  if (!Array.isArray(list)) return undefined;
  if (list.length === 0) return rest;
  const sequence = SEQUENCE_NAMES.find(
    (name) =>
      SEQUENCES[name].length === list.length && SEQUENCES[name].every((q, i) => q === list[i]),
  );
  return sequence ? { ...rest, at: { sequence, index } } : undefined;
}

/**
 * Restores a machine snapshot the public way, with an actor created from it and never started
 * (XState restores the deep history `main.hist` and the stored fields exactly), or undefined
 * when XState or our own check rejects it: an unknown state value leaves that actor in status
 * 'error', synchronously, and nothing is scheduled since it never runs.
 */
function restore(persisted: unknown): ClicSnapshot | undefined {
  if (!persisted || typeof persisted !== 'object') return undefined;
  const s = persisted as Record<string, unknown>;
  const context = upgrade(s.context);
  if (s.status !== 'active' || !isClicContext(context)) return undefined;
  try {
    const snapshot = (context === s.context ? s : { ...s, context }) as Snapshot<unknown>;
    const restored = createActor(clicMachine, { snapshot, input: undefined }).getSnapshot();
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
      const answers = merchantAnswersOf(i.answers) ?? {};
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

  /**
   * The machine snapshots this engine computed, by the persisted object it handed out for each:
   * when that very object comes back (the SQLite store keeps the envelopes it wrote last), the
   * next turn continues from the snapshot itself, without restoring and re-checking it. Weak: an
   * entry goes with its persisted object. Only active snapshots, as `restore` would accept.
   */
  const live = new WeakMap<object, ClicSnapshot>();
  const resume = (persisted: unknown): ClicSnapshot | undefined =>
    (persisted && typeof persisted === 'object' ? live.get(persisted) : undefined) ??
    restore(persisted);

  /** The town's observatory figures as a side event, applied before the user's event. */
  const figures = (town: string | undefined): SideEvent[] => {
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
    return {
      snapshot,
      replies,
      ...(effects.length > 0 ? { effects } : {}),
      ...understoodOf(intents),
    };
  };

  const start = (
    event: InboundEvent & { type: 'start' },
    ctx: TurnContext,
    preface: Reply[] = [],
  ): StepResult => {
    const town = event.town ?? ctx.town;
    // Actions of the initial snapshot itself are not read: the actor ran them before anyone
    // listened (and the machine has none).
    const [initial] = initialTransition(clicMachine, town ? { town } : {});
    const ran = play(initial, figures(town), {
      type: 'ENTRY',
      entry: decodeEntry(catalog, event.entry),
      ...(town ? { town } : {}),
      ...region,
    });
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
    const replies = renderIntents([...intents, promptIntent(state)], {
      catalog,
      state,
    });
    if (typeof notice === 'string' && replies[0])
      replies[0] = makeReply({ ...replies[0], blocks: [para(notice), ...replies[0].blocks] });
    return { snapshot, replies, ...understoodOf(intents) };
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
      const current = resume(snapshot);
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
          if (text.length === 0) return unchanged(snapshot, current, INPUT_TEXT.empty);
          if ([...text].length > MAX_TEXT)
            return unchanged(snapshot, current, INPUT_TEXT['too-long']);
          if (!/[\p{L}\p{N}]/u.test(text))
            return unchanged(snapshot, current, INPUT_TEXT['no-words']);
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
      const ran = play(
        current,
        [...figures(town), ...(facts?.type === 'FACTS' ? [facts] : [])],
        machineEvent,
      );
      // Nothing emitted (or a transition threw before emitting): say so, keep the stored snapshot.
      if (ran.intents.length === 0)
        return unchanged(snapshot, ran.snapshot, { kind: 'not-understood' });
      return finish(ran, ctx);
    },
    inspect(snapshot) {
      const current = resume(snapshot);
      return current ? { value: current.value, context: current.context } : undefined;
    },
  };
}
