/**
 * Input hygiene before anything reaches a dialogue: control and invisible formatting characters
 * removed, text trimmed and bounded, action ids and entry points checked. What fails gets a kind
 * French answer and leaves the conversation untouched.
 */
import type { Reply } from '../reply/model.js';
import { isActionId } from '../reply/validate.js';
import { MAX_USER_TEXT } from '../storage/envelope.js';
import { BAD_ACTION_TEXT, EMPTY_TEXT, NO_WORDS_TEXT, notice, TOO_LONG_TEXT } from './messages.js';
import type { InboundEvent } from './types.js';

/** Why an event was refused before the dialogue. */
export type RejectReason = 'empty' | 'too-long' | 'no-words' | 'bad-action';

/** Outcome of {@link cleanEvent}. */
export type CleanResult =
  | { readonly ok: true; readonly event: InboundEvent }
  | { readonly ok: false; readonly reason: RejectReason; readonly reply: Reply };

/** Deep-link payloads: Telegram's allowed set, ≤ 64 characters. */
const ENTRY = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TOWN = 80;

/** Invisible characters removed: C0/C1 controls (tab and line breaks are handled before), bidi
 * overrides and isolates, zero-width space, direction marks, BOM. Joiners (U+200D) are kept. */
function isInvisible(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200b ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

function stripInvisible(input: string): string {
  let out = '';
  for (const ch of input) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\n' || !isInvisible(code)) out += ch;
  }
  return out;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Strips control and invisible formatting characters, normalises line breaks and tabs, trims.
 * Emoji joiners (U+200D) and variation selectors are kept.
 */
export function cleanText(input: string): string {
  return stripInvisible(
    input
      .replace(LONE_SURROGATE, '')
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/[\t\u2028\u2029]/g, (c) => (c === '\t' ? ' ' : '\n')),
  )
    .replace(/[ \u00a0]{2,}/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Length as a person counts it (code points, so an emoji is one). */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cleans an inbound event, or says kindly why it cannot go further. */
export function cleanEvent(event: InboundEvent): CleanResult {
  switch (event.type) {
    case 'text': {
      const raw = typeof event.text === 'string' ? event.text : '';
      // Refuse huge inputs before doing any work on them.
      if (raw.length > MAX_USER_TEXT * 4) return refuse('too-long');
      const cleaned = cleanText(raw);
      if (cleaned.length === 0) return refuse('empty');
      if (charCount(cleaned) > MAX_USER_TEXT) return refuse('too-long');
      if (!/[\p{L}\p{N}]/u.test(cleaned)) return refuse('no-words');
      return { ok: true, event: { type: 'text', text: cleaned } };
    }
    case 'action':
      return isActionId(event.action)
        ? { ok: true, event: { type: 'action', action: event.action } }
        : refuse('bad-action');
    case 'start': {
      const entry =
        typeof event.entry === 'string' && ENTRY.test(event.entry) ? event.entry : undefined;
      const town = typeof event.town === 'string' ? cleanTown(event.town) : undefined;
      return {
        ok: true,
        event: { type: 'start', ...(entry ? { entry } : {}), ...(town ? { town } : {}) },
      };
    }
    default:
      return refuse('empty');
  }
}

/** A town name as given by a page or an adapter, cleaned and bounded (undefined if unusable). */
export function cleanTown(input: string): string | undefined {
  const town = cleanText(input).replace(/\s+/g, ' ');
  return town.length > 0 && charCount(town) <= MAX_TOWN ? town : undefined;
}

const REPLIES: Record<RejectReason, string> = {
  empty: EMPTY_TEXT,
  'too-long': TOO_LONG_TEXT,
  'no-words': NO_WORDS_TEXT,
  'bad-action': BAD_ACTION_TEXT,
};

function refuse(reason: RejectReason): CleanResult {
  return { ok: false, reason, reply: notice(REPLIES[reason]) };
}
