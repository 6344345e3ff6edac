/**
 * A tiny dialogue engine for runtime tests: a counter. Each accepted text or action adds one, so
 * « each accepted event applied exactly once » reads as « the counter equals the number of turns ».
 * Special words make it misbehave on purpose: « panne » throws, « oublier » asks to erase the
 * user's data, « compter » emits an observatory record.
 */
import { button, text, withButtons } from '../../src/reply/build.js';
import type {
  DialogueEngine,
  InboundEvent,
  StepResult,
  TurnContext,
} from '../../src/runtime/types.js';

/** The snapshot the counter keeps. */
export interface CounterSnapshot {
  readonly count: number;
  readonly entry?: string;
  readonly town?: string;
  readonly seen: string[];
}

/** Builds a counter engine; `version` lets a test simulate a flow upgrade. */
export function createCounterEngine(
  version = 1,
  flowId = 'compteur',
): DialogueEngine & {
  readonly calls: { start: number; step: number };
} {
  const calls = { start: 0, step: 0 };
  const reply = (snapshot: CounterSnapshot) =>
    withButtons(text(`Compteur : ${snapshot.count}.`), [
      button('Ajouter un', 'plus'),
      button('Oublier mes données', 'oubli'),
    ]);
  return {
    flowId,
    version,
    calls,
    start(event, ctx: TurnContext): StepResult {
      calls.start++;
      const snapshot: CounterSnapshot = {
        count: 0,
        seen: [],
        ...(event.entry ? { entry: event.entry } : {}),
        ...((event.town ?? ctx.town) ? { town: event.town ?? ctx.town } : {}),
      };
      const where = snapshot.town ? ` à ${snapshot.town}` : '';
      return {
        snapshot,
        replies: [
          withButtons(text(`Bienvenue${where} (v${version}).`), [button('Ajouter un', 'plus')]),
        ],
      };
    },
    step(raw: unknown, event: InboundEvent, ctx: TurnContext): StepResult {
      calls.step++;
      const snapshot = raw as CounterSnapshot;
      if (typeof snapshot?.count !== 'number') throw new TypeError('bad snapshot');
      if (event.type === 'start') return this.start(event, ctx);
      const said = event.type === 'text' ? event.text : event.action;
      if (said === 'panne')
        throw new Error(`engine exploded while reading « ${said} » from user-42`);
      if (said === 'oublier' || said === 'oubli') {
        return {
          snapshot,
          replies: [text('C’est fait : vos données sont effacées.')],
          effects: [{ type: 'forget-user' }],
        };
      }
      const next: CounterSnapshot = {
        ...snapshot,
        count: snapshot.count + 1,
        seen: [...snapshot.seen, said],
      };
      if (said === 'compter') {
        return {
          snapshot: next,
          replies: [reply(next)],
          effects: [{ type: 'observatory-record', record: { level: 2 } }],
        };
      }
      return { snapshot: next, replies: [reply(next)] };
    },
  };
}
