/**
 * « Parler à l’équipe de la ville » offered where a person is most likely to want one: with the
 * regional contacts, after a result, and after two « pas compris » in a row. A thin wrapper around
 * the dialogue engine (as the plan link's), used only when the handover is on, so that the flows
 * stay unaware of it; pressing the button sends `handover:ask`, which the runtime wrapper
 * (./runtime.ts) takes first.
 *
 * The misses are counted in the snapshot the wrapper returns (one top-level field beside the
 * machine's own, which the engine ignores when it restores): so the count is saved with the
 * conversation in the same compare-and-set write (whichever instance runs the next turn reads
 * it), replayed turns do not count twice, and « oublier mes données » erases it with the rest.
 */
import { button, makeReply, para } from '../reply/build.js';
import type { Block, Reply } from '../reply/model.js';
import { afterEachStep, promptOf } from '../runtime/step-hook.js';
import type { DialogueEngine, StepResult } from '../runtime/types.js';
import { HANDOVER_ACTIONS } from './triggers.js';

/** The button's label on every channel. */
export const HANDOVER_OFFER_LABEL = 'Parler à l’équipe de la ville';
/** Said under the second « pas compris » in a row, above the button. */
export const MISSED_OFFER_TEXT =
  'Si vous préférez, une personne de l’équipe de la ville peut vous répondre.';
/** The offer comes with this many « pas compris » in a row (and each one after). */
export const MISSES_BEFORE_OFFER = 2;

/** The snapshot's field counting the « pas compris » in a row (absent: none). */
const MISSES = 'handoverMisses';

/** The contacts were just shown, or a diagnostic just ended on its result. */
function worthOffering(before: unknown, after: unknown): boolean {
  const prev = promptOf(before);
  const next = promptOf(after);
  if (!next) return false;
  if (next.kind === 'contacts') return prev?.kind !== 'contacts';
  const resultEnd =
    (next.kind === 'done' && (next.flow === 'commercant' || next.flow === 'territoire')) ||
    (next.kind === 'question' && next.question === 'consent');
  return resultEnd && prev?.kind === 'question' && prev.question !== 'consent';
}

/** The « pas compris » in a row a snapshot of ours counts. */
function missesOf(snapshot: unknown): number {
  const n = (snapshot as Record<string, unknown> | null | undefined)?.[MISSES];
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** `snapshot` with `misses` recorded (none: the field goes). */
function withMisses(snapshot: unknown, misses: number): unknown {
  if (!snapshot || typeof snapshot !== 'object') return snapshot;
  const { [MISSES]: _old, ...rest } = snapshot as Record<string, unknown>;
  if (misses === 0) return _old === undefined ? snapshot : rest;
  return { ...rest, [MISSES]: Math.min(misses, 99) };
}

/** The reply `at` with the offer's button first (and `blocks` added before its buttons). */
function offerOn(replies: readonly Reply[], at: number, blocks: readonly Block[] = []): Reply[] {
  const out = [...replies];
  const target = out[at] as Reply;
  out[at] = makeReply({
    ...target,
    blocks: [...target.blocks, ...blocks],
    buttons: [button(HANDOVER_OFFER_LABEL, HANDOVER_ACTIONS.ask), ...(target.buttons ?? [])],
  });
  return out;
}

function offer(step: StepResult, before: unknown): StepResult {
  // The engine says which turns it did not understand: the count never reads the wording.
  const misses = step.understood === false ? missesOf(before) + 1 : 0;
  const counted = { ...step, snapshot: withMisses(step.snapshot, misses) };
  if (step.replies.length === 0) return counted;
  if (misses >= MISSES_BEFORE_OFFER) {
    const at = step.replies.length - 1;
    return { ...counted, replies: offerOn(step.replies, at, [para(MISSED_OFFER_TEXT)]) };
  }
  if (!worthOffering(before, step.snapshot)) return counted;
  // Not on a question's own buttons (the consent's « Oui / Non »): on the reply before it.
  const asks = promptOf(step.snapshot)?.kind === 'question';
  const at = asks && step.replies.length > 1 ? step.replies.length - 2 : step.replies.length - 1;
  return { ...counted, replies: offerOn(step.replies, at) };
}

/**
 * The dialogue engine, offering a person (on Telegram and the widget) with the contacts, after
 * each result and after two « pas compris » in a row.
 */
export function withHandoverOffer<E extends DialogueEngine>(engine: E): E {
  const offering = afterEachStep(engine, offer);
  return {
    ...offering,
    // Only Telegram and the widget hand a person over: the team on Slack and the terminal get
    // the dialogue alone (which ignores, then drops, the count in the snapshot).
    step: (snapshot, event, ctx) =>
      ctx.channel === 'telegram' || ctx.channel === 'web'
        ? offering.step(snapshot, event, ctx)
        : engine.step(snapshot, event, ctx),
  };
}
