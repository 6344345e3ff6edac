/**
 * Terminal input → inbound event: a number picks the n-th choice of the last reply (card
 * buttons first, then the reply's own, as numbered by render.ts); anything else is free text.
 */
import type { Button, Reply } from '../../src/reply/model.js';
import type { InboundEvent } from '../../src/runtime/types.js';

/** The choices of a turn's replies, in the order they are numbered on screen. */
export function choicesOf(replies: readonly Reply[]): Button[] {
  return replies.flatMap((r) => [
    ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
    ...(r.buttons ?? []),
  ]);
}

/** Reads one typed line; `choices` are those shown by the last turn. */
export function lineToEvent(line: string, choices: readonly Button[]): InboundEvent {
  const trimmed = line.trim();
  if (/^\d{1,3}$/.test(trimmed)) {
    const picked = choices[Number(trimmed) - 1];
    if (picked) return { type: 'action', action: picked.action };
  }
  return { type: 'text', text: line };
}
