/**
 * Neutral reply → the JSON `Reply` of SPEC §6 that the widget renders, and stored transcript →
 * what the widget needs to restore a conversation after a reload. Links are kept only with safe
 * schemes; everything else is plain text that the widget inserts with `textContent`.
 */
import { z } from 'zod';
import type { Block, Button, Card, Reply, Span } from '../../src/reply/model.js';
import { derive, fragment, isShared } from '../../src/reply/shared.js';

// === Wire schemas (used as fastify response schemas)

/** A span: plain text with optional emphasis or a safe link. */
export const webSpanSchema = z.object({
  text: z.string(),
  bold: z.boolean().optional(),
  italic: z.boolean().optional(),
  href: z.string().optional(),
});

/** A paragraph or a list. */
export const webBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('paragraph'), spans: z.array(webSpanSchema) }),
  z.object({
    type: z.literal('list'),
    ordered: z.boolean(),
    items: z.array(z.array(webSpanSchema)),
  }),
]);

/** A choice: clicking it sends `{ action }`. */
export const webButtonSchema = z.object({ label: z.string(), action: z.string() });

/** A solution card. */
export const webCardSchema = z.object({
  title: z.string(),
  subtitle: z.string().optional(),
  lines: z.array(z.array(webSpanSchema)),
  buttons: z.array(webButtonSchema).optional(),
});

/** One assistant message on the wire: `text` always, `buttons` when there are choices. */
export const webReplySchema = z.object({
  text: z.string(),
  blocks: z.array(webBlockSchema),
  cards: z.array(webCardSchema).optional(),
  buttons: z.array(webButtonSchema).optional(),
  progress: z.object({ current: z.number(), total: z.number() }).optional(),
});

/** One transcript line: the user's words (or the label they clicked), or one bot reply. */
export const webTranscriptMessageSchema = z.object({
  from: z.enum(['user', 'bot']),
  at: z.string(),
  text: z.string().optional(),
  reply: webReplySchema.optional(),
});

/** The JSON reply the widget renders. */
export type WebReply = z.infer<typeof webReplySchema>;
/** One line of a restored transcript. */
export type WebTranscriptMessage = z.infer<typeof webTranscriptMessageSchema>;

// === Rendering

/** Link schemes we let through; anything else (javascript:, data:…) becomes plain text. */
const SAFE_HREF = /^(https?:\/\/|mailto:|tel:)/i;

function span(s: Span): z.infer<typeof webSpanSchema> {
  return {
    text: s.text,
    ...(s.bold ? { bold: true } : {}),
    ...(s.italic ? { italic: true } : {}),
    ...(s.href && SAFE_HREF.test(s.href) ? { href: s.href } : {}),
  };
}

function block(b: Block): z.infer<typeof webBlockSchema> {
  return b.type === 'paragraph'
    ? { type: 'paragraph', spans: b.spans.map(span) }
    : { type: 'list', ordered: b.ordered, items: b.items.map((item) => item.map(span)) };
}

function button(b: Button): z.infer<typeof webButtonSchema> {
  return { label: b.label, action: b.action };
}

function card(c: Card): z.infer<typeof webCardSchema> {
  return {
    title: c.title,
    ...(c.subtitle ? { subtitle: c.subtitle } : {}),
    lines: c.lines.map((line) => line.map(span)),
    ...(c.buttons?.length ? { buttons: c.buttons.map(button) } : {}),
  };
}

/** Wire forms of the dialogue's shared replies, computed once each (see src/reply/shared.ts). */
const webForms = new WeakMap<Reply, WebReply>();

/** Neutral reply → wire reply (SPEC §6: `text`, `buttons: [{label, action}]`, plus rich parts). */
export function renderWebReply(reply: Reply): WebReply {
  return isShared(reply) ? derive(webForms, reply, sharedWebReply) : toWebReply(reply);
}

/** A shared reply's wire form: frozen, its JSON written once (the server's serializer uses it). */
function sharedWebReply(reply: Reply): WebReply {
  return fragment(toWebReply(reply));
}

function toWebReply(reply: Reply): WebReply {
  return {
    text: reply.text,
    blocks: reply.blocks.map(block),
    ...(reply.cards?.length ? { cards: reply.cards.map(card) } : {}),
    ...(reply.buttons?.length ? { buttons: reply.buttons.map(button) } : {}),
    ...(reply.progress
      ? { progress: { current: reply.progress.current, total: reply.progress.total } }
      : {}),
  };
}

/** The stored transcript entry shape this module reads (see src/storage/envelope.ts). */
export interface TranscriptEntryLike {
  readonly from: 'user' | 'bot';
  readonly at: string;
  readonly text?: string;
  readonly action?: string;
  readonly replies?: readonly Reply[];
}

/**
 * Stored transcript → what the widget shows: one line per user message (its text, or the label
 * of the button pressed) and one per bot reply. A pressed button whose label is unknown shows
 * nothing rather than a raw action id.
 */
export function renderTranscript(entries: readonly TranscriptEntryLike[]): WebTranscriptMessage[] {
  const out: WebTranscriptMessage[] = [];
  const labels = new Map<string, string>();
  for (const entry of entries) {
    if (entry.from === 'user') {
      const text = entry.text ?? (entry.action ? labels.get(entry.action) : undefined);
      if (text) out.push({ from: 'user', at: entry.at, text });
      continue;
    }
    for (const reply of entry.replies ?? []) {
      for (const b of reply.buttons ?? []) labels.set(b.action, b.label);
      for (const c of reply.cards ?? [])
        for (const b of c.buttons ?? []) labels.set(b.action, b.label);
      out.push({ from: 'bot', at: entry.at, reply: renderWebReply(reply) });
    }
  }
  return out;
}
