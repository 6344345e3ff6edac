/**
 * « Parler à l’équipe de la ville » offered where a person is most likely to want one: with the
 * regional contacts and after a result. A thin wrapper around the dialogue engine (as the plan
 * link's), used only when the handover is on, so that the flows stay unaware of it; pressing
 * the button sends `handover:ask`, which the runtime wrapper (./runtime.ts) takes first.
 */
import { button, makeReply } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import { afterEachStep, promptOf } from '../runtime/step-hook.js';
import type { DialogueEngine, StepResult } from '../runtime/types.js';
import { HANDOVER_ACTIONS } from './triggers.js';

/** The button's label on every channel. */
export const HANDOVER_OFFER_LABEL = 'Parler à l’équipe de la ville';

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

function offer(step: StepResult, before: unknown): StepResult {
  if (step.replies.length === 0 || !worthOffering(before, step.snapshot)) return step;
  const replies = [...step.replies];
  // Not on a question's own buttons (the consent's « Oui / Non »): on the reply before it.
  const asks = promptOf(step.snapshot)?.kind === 'question';
  const at = asks && replies.length > 1 ? replies.length - 2 : replies.length - 1;
  const target = replies[at] as Reply;
  replies[at] = makeReply({
    ...target,
    buttons: [button(HANDOVER_OFFER_LABEL, HANDOVER_ACTIONS.ask), ...(target.buttons ?? [])],
  });
  return { ...step, replies };
}

/** The dialogue engine, offering a person with the contacts and after each result. */
export function withHandoverOffer<E extends DialogueEngine>(engine: E): E {
  return afterEachStep(engine, offer);
}
