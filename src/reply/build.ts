/**
 * Concise builders for the neutral reply model. Flows and adapters build replies with these so
 * that the plain-text fallback `text` is always derived from the blocks and cards, never typed twice.
 */
import type { Block, Button, Card, LinkButton, Reply, Span } from './model.js';
import { plainText } from './plain.js';
import { assertActionId, assertButtonLabel } from './validate.js';

/** Anything that reads as inline text: a string or a span. */
export type Inline = string | Span;

/** Turns strings into plain spans; spans pass through unchanged. */
export function toSpans(parts: readonly Inline[]): Span[] {
  return parts.map((p) => (typeof p === 'string' ? { text: p } : p));
}

/** A bold span (« Niveau 2 »). */
export function bold(text: string): Span {
  return { text, bold: true };
}

/** An italic span. */
export function italic(text: string): Span {
  return { text, italic: true };
}

/** A link; renderers show the label, the plain fallback adds the address. */
export function link(text: string, href: string): Span {
  return { text, href };
}

/** A paragraph made of strings and spans, joined as given (add your own spaces). */
export function para(...parts: Inline[]): Block {
  return { type: 'paragraph', spans: toSpans(parts) };
}

/** A bulleted list; an item may be a string, a span or an array of them. */
export function list(items: readonly (Inline | readonly Inline[])[]): Block {
  return { type: 'list', ordered: false, items: items.map(itemSpans) };
}

/** A numbered list (roadmap steps, ranked solutions). */
export function orderedList(items: readonly (Inline | readonly Inline[])[]): Block {
  return { type: 'list', ordered: true, items: items.map(itemSpans) };
}

function itemSpans(item: Inline | readonly Inline[]): Span[] {
  return Array.isArray(item) ? toSpans(item as readonly Inline[]) : toSpans([item as Inline]);
}

/** A button, checked: ASCII action id ≤ 48 bytes, label ≤ 60 characters. */
export function button(label: string, action: string): Button {
  assertActionId(action);
  assertButtonLabel(label);
  return { label, action };
}

/** A card; lines may be strings, spans or arrays of them. */
export function card(input: {
  readonly title: string;
  readonly subtitle?: string;
  readonly lines?: readonly (Inline | readonly Inline[])[];
  readonly buttons?: readonly Button[];
}): Card {
  return {
    title: input.title,
    ...(input.subtitle ? { subtitle: input.subtitle } : {}),
    lines: (input.lines ?? []).map(itemSpans),
    ...(input.buttons && input.buttons.length > 0 ? { buttons: [...input.buttons] } : {}),
  };
}

/** The parts of a reply; `text` is computed. */
export interface ReplyParts {
  readonly blocks?: readonly Block[];
  readonly cards?: readonly Card[];
  readonly buttons?: readonly Button[];
  readonly links?: readonly LinkButton[];
  readonly progress?: { readonly current: number; readonly total: number };
}

/** Builds a reply from its parts and fills the plain-text fallback from blocks and cards. */
export function makeReply(parts: ReplyParts): Reply {
  const blocks = [...(parts.blocks ?? [])];
  const cards = parts.cards && parts.cards.length > 0 ? [...parts.cards] : undefined;
  return {
    text: plainText(blocks, cards ?? []),
    blocks,
    ...(cards ? { cards } : {}),
    ...(parts.buttons && parts.buttons.length > 0 ? { buttons: [...parts.buttons] } : {}),
    ...(parts.links && parts.links.length > 0 ? { links: parts.links.map((l) => ({ ...l })) } : {}),
    ...(parts.progress ? { progress: { ...parts.progress } } : {}),
  };
}

/**
 * The shortest way to say something: each argument is a paragraph; a string, a span, a block
 * (`para`, `list`) or an array of inline parts.
 */
export function text(...paragraphs: (Inline | Block | readonly Inline[])[]): Reply {
  const blocks = paragraphs.map((p): Block => {
    if (Array.isArray(p)) return para(...(p as readonly Inline[]));
    if (typeof p === 'object' && p !== null && 'type' in p) return p as Block;
    return para(p as Inline);
  });
  return makeReply({ blocks });
}

/** The same reply with these buttons (replacing any it had). */
export function withButtons(reply: Reply, buttons: readonly Button[]): Reply {
  return makeReply({ ...reply, buttons });
}

/** The same reply with cards appended; the fallback text is recomputed. */
export function withCards(reply: Reply, cards: readonly Card[]): Reply {
  return makeReply({ ...reply, cards: [...(reply.cards ?? []), ...cards] });
}

/** The same reply marked « Question current/total ». */
export function withProgress(reply: Reply, current: number, total: number): Reply {
  return makeReply({ ...reply, progress: { current, total } });
}
