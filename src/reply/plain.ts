/**
 * Plain-text rendering of the neutral reply model. One function produces the `text` fallback that
 * every reply carries, so that the builders, the splitter and the terminal agree to the character.
 */
import type { Block, Card, Reply, Span } from './model.js';

// === Spans and blocks

/** Plain text of a run of spans; a link shows its address when the label does not already. */
export function spansToPlain(spans: readonly Span[]): string {
  return spans
    .map((s) => (s.href && !s.text.includes(s.href) ? `${s.text} (${s.href})` : s.text))
    .join('');
}

/** Plain text of one block: a paragraph as is, a list one item a line (« - » or « 1. »). */
export function blockToPlain(block: Block): string {
  if (block.type === 'paragraph') return spansToPlain(block.spans);
  return block.items
    .map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${spansToPlain(item)}`)
    .join('\n');
}

/** Plain text of a card: title, subtitle, then its lines. */
export function cardToPlain(card: Card): string {
  const head = card.subtitle ? `${card.title}\n${card.subtitle}` : card.title;
  const lines = card.lines.map((l) => spansToPlain(l));
  return [head, ...lines].join('\n');
}

/**
 * The complete plain-text fallback of blocks and cards (buttons excluded), paragraphs separated
 * by a blank line. This is what `Reply.text` must hold.
 */
export function plainText(blocks: readonly Block[], cards: readonly Card[] = []): string {
  return [...blocks.map(blockToPlain), ...cards.map(cardToPlain)]
    .filter((s) => s.length > 0)
    .join('\n\n');
}

// === Whole replies

/** Options of {@link renderPlain}. */
export interface RenderPlainOptions {
  /** Show the choices as « 1. Label » (terminal) rather than « - Label ». Default false. */
  readonly numberChoices?: boolean;
}

/**
 * A reply as readable plain text for logs, e-mails, tests and simple channels: progress line,
 * the text, then the choices (card buttons first, then the reply's own). The terminal adapter
 * owns its interactive numbering; this renderer is deliberately simple.
 */
export function renderPlain(reply: Reply, options: RenderPlainOptions = {}): string {
  const parts: string[] = [];
  if (reply.progress) parts.push(`Question ${reply.progress.current}/${reply.progress.total}`);
  const body =
    reply.blocks.length > 0 || (reply.cards?.length ?? 0) > 0
      ? plainText(reply.blocks, reply.cards ?? [])
      : reply.text;
  if (body) parts.push(body);
  const buttons = [
    ...(reply.cards ?? []).flatMap((c) => c.buttons ?? []),
    ...(reply.buttons ?? []),
  ];
  if (buttons.length > 0) {
    parts.push(
      buttons
        .map((b, i) => (options.numberChoices ? `${i + 1}. ${b.label}` : `- ${b.label}`))
        .join('\n'),
    );
  }
  return parts.join('\n\n');
}
