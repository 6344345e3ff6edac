/**
 * Guards for what leaves the dialogues: action ids must fit every platform's callback field
 * (Telegram callback_data ≤ 64 bytes, Slack values ≤ 75) and stay ASCII so byte = character.
 */
import { MAX_ACTION_BYTES, MAX_BUTTON_LABEL, type Reply } from './model.js';

const ACTION_ID = /^[\x21-\x7e]+$/;

/** True when `id` is printable ASCII without spaces, 1 to 48 bytes. */
export function isActionId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= MAX_ACTION_BYTES && ACTION_ID.test(id);
}

/** Throws a TypeError naming the problem when `id` is not a valid action id. */
export function assertActionId(id: unknown): asserts id is string {
  if (typeof id !== 'string') throw new TypeError('action id must be a string');
  if (!ACTION_ID.test(id)) {
    throw new TypeError(`action id must be printable ASCII without spaces: ${JSON.stringify(id)}`);
  }
  if (id.length > MAX_ACTION_BYTES) {
    throw new TypeError(`action id longer than ${MAX_ACTION_BYTES} bytes: ${id}`);
  }
}

/** Throws when a button label is empty or longer than the platforms allow. */
export function assertButtonLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string' || label.trim().length === 0) {
    throw new TypeError('button label must be a non-empty string');
  }
  if ([...label].length > MAX_BUTTON_LABEL) {
    throw new TypeError(`button label longer than ${MAX_BUTTON_LABEL} characters: ${label}`);
  }
}

/** Checks every button of a reply (card buttons included); for flow tests and adapters. */
export function assertReply(reply: Reply): void {
  for (const b of [
    ...(reply.buttons ?? []),
    ...(reply.cards ?? []).flatMap((c) => c.buttons ?? []),
  ]) {
    assertActionId(b.action);
    assertButtonLabel(b.label);
  }
}
