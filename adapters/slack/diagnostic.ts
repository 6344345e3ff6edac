/**
 * The « Diagnostic du territoire » modal, answered through the dialogue: its answers become the
 * events a user typing or pressing buttons would send — the territory diagnostic started, each
 * question answered in turn, « aller plus loin » chosen — sent to the user's own conversation
 * through the runtime. The flows and the presenters then produce the bilan exactly as on the web
 * or Telegram; nothing here decides or words it.
 *
 * Each answer is sent only to the question it belongs to: a numbered question must be the one
 * asked (« Question n/N »), a pressed answer must be one of the buttons offered. Should the
 * dialogue ask something else, the user gets what it asked and carries on by hand.
 */
import type { Catalog } from '../../catalog/schema.js';
import { actionId, decodeAction } from '../../src/dialogue/index.js';
import type { Reply } from '../../src/reply/model.js';
import type { TurnResult } from '../../src/runtime/runtime.js';
import type { InboundEvent } from '../../src/runtime/types.js';
import type { DiagnosticAnswers, ModalAnswer } from './modal.js';

/** One turn of the user's conversation (the channel binds the key and the turn context). */
export type SendTurn = (event: InboundEvent) => Promise<TurnResult>;

/** The dialogue's choice after the « individuel » bilan. */
type Next = 'collectif' | 'centre-ville' | 'both' | 'end';

/**
 * Sends the modal's answers to the dialogue and returns what the user should see: the territory
 * result (bilans, roadmaps, funding, contact) as the dialogue's last turn gives it. Should the
 * dialogue still ask something (the region, when the deployment's TOWN_REGION is not set: the
 * dialogue knows it otherwise), what came before it (the « individuel » bilan…) is shown too,
 * without the questions the modal answered.
 */
export async function answerDiagnostic(
  catalog: Catalog,
  send: SendTurn,
  answers: DiagnosticAnswers,
): Promise<readonly Reply[]> {
  const shown: Reply[] = [];
  let turn = await start(catalog, send, answers);
  /** Keeps what the turn said besides its question, then sends the next event. */
  const next = async (event: InboundEvent): Promise<void> => {
    shown.push(...turn.replies.filter((r) => answerButtons(catalog, r).size === 0));
    turn = await send(event);
  };
  const stop = (): readonly Reply[] => [...shown, ...turn.replies];
  if (turn.outcome !== 'ok') return stop();

  // The town's merchants' own figures may be offered first: the modal holds the user's.
  if (!asksNumbered(turn, 1)) {
    const no = asked(catalog, turn).get('no');
    if (!no) return stop();
    turn = await send({ type: 'action', action: no });
  }

  for (const [i, answer] of answers.individuel.entries()) {
    const event = eventFor(catalog, turn, answer, {
      current: i + 1,
      total: answers.individuel.length,
    });
    if (!event) return stop();
    await next(event);
  }

  const wanted: Next =
    answers.collectif && answers.centreVille
      ? 'both'
      : answers.collectif
        ? 'collectif'
        : answers.centreVille
          ? 'centre-ville'
          : 'end';
  const offered = asked(catalog, turn);
  const choice = [wanted, ...(wanted === 'both' ? (['collectif', 'centre-ville'] as const) : [])]
    .concat('end')
    .find((c) => offered.has(c));
  const chosen = choice ? offered.get(choice) : undefined;
  if (!choice || !chosen) return stop();
  await next({ type: 'action', action: chosen });

  const extra = [
    ...(choice === 'collectif' || choice === 'both' ? (answers.collectif ?? []) : []),
    ...(choice === 'centre-ville' || choice === 'both' ? (answers.centreVille ?? []) : []),
  ];
  for (const [i, answer] of extra.entries()) {
    const event = eventFor(catalog, turn, answer, { current: i + 1, total: extra.length });
    if (!event) return stop();
    await next(event);
  }

  const done = turn.replies.length > 0 && asked(catalog, turn).size === 0;
  return done ? turn.replies : [...shown, ...turn.replies];
}

// === Reading the questions asked

/** Opens the territory diagnostic afresh, at the objective chosen in the modal if any. */
async function start(
  catalog: Catalog,
  send: SendTurn,
  answers: DiagnosticAnswers,
): Promise<TurnResult> {
  const objective = catalog.objectives.find((o) => o.id === answers.objective);
  if (!objective) return send({ type: 'start', entry: 'diagnostic-territoire' });
  const opened = await send({ type: 'start', entry: `objectif-${objective.number}` });
  if (opened.outcome !== 'ok') return opened;
  return send({ type: 'action', action: actionId.diag('territoire') });
}

/** The answer buttons of a reply: the answer's value → the action its press sends. */
function answerButtons(catalog: Catalog, reply: Reply): Map<string, string> {
  const found = new Map<string, string>();
  for (const b of reply.buttons ?? []) {
    const event = decodeAction(catalog, b.action);
    if (event?.type === 'ACTION' && event.action.kind === 'answer')
      found.set(String(event.action.value), b.action);
  }
  return found;
}

/** The answers offered by the question the turn ends on (empty when it asks none). */
function asked(catalog: Catalog, turn: Pick<TurnResult, 'replies'>): Map<string, string> {
  const last = turn.replies[turn.replies.length - 1];
  return last ? answerButtons(catalog, last) : new Map();
}

function asksNumbered(turn: TurnResult, current: number, total?: number): boolean {
  const progress = turn.replies[turn.replies.length - 1]?.progress;
  return (
    turn.outcome === 'ok' &&
    progress?.current === current &&
    (total === undefined || progress.total === total)
  );
}

/** The event answering question `at` with the modal's answer, or undefined if it is not asked. */
function eventFor(
  catalog: Catalog,
  turn: TurnResult,
  answer: ModalAnswer,
  at: { current: number; total: number },
): InboundEvent | undefined {
  if (!asksNumbered(turn, at.current, at.total)) return undefined;
  if ('typed' in answer) return { type: 'text', text: answer.typed };
  const action = asked(catalog, turn).get(answer.press);
  return action ? { type: 'action', action } : undefined;
}
