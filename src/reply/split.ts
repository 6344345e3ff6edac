/**
 * Splits a long reply into several that each fit a platform's message limit (Telegram 4096
 * characters, Slack section 3000), cutting at paragraph and list-item boundaries first, then
 * between words — never inside a word unless one word alone is longer than the limit.
 * Buttons go on the last part (they answer the question asked at the end), progress on the first.
 */
import { makeReply } from './build.js';
import type { Block, Card, Reply, Span } from './model.js';
import { cardToPlain, plainText, spansToPlain } from './plain.js';

type Unit =
  | { readonly kind: 'para'; readonly spans: readonly Span[] }
  | {
      readonly kind: 'item';
      readonly list: number;
      readonly ordered: boolean;
      readonly index: number;
      readonly spans: readonly Span[];
    }
  | { readonly kind: 'card'; readonly card: Card };

/** Smallest limit we accept: below it a French word plus a list marker may not fit. */
export const MIN_SPLIT_CHARS = 40;

/**
 * Returns `[reply]` when its plain text fits in `maxChars` (UTF-16 code units, as Telegram
 * counts), else several replies whose `text` each fits, losing nothing.
 */
export function splitReply(reply: Reply, maxChars: number): Reply[] {
  if (!Number.isInteger(maxChars) || maxChars < MIN_SPLIT_CHARS) {
    throw new RangeError(`maxChars must be an integer ≥ ${MIN_SPLIT_CHARS}`);
  }
  const cards = reply.cards ?? [];
  if (reply.blocks.length === 0 && cards.length === 0) {
    return reply.text.length <= maxChars ? [reply] : splitBareText(reply, maxChars);
  }
  if (plainText(reply.blocks, cards).length <= maxChars) return [reply];

  const units = toUnits(reply.blocks, cards).flatMap((u) => fitUnit(u, maxChars));
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  for (const unit of units) {
    const candidate = [...current, unit];
    if (current.length === 0 || measure(candidate) <= maxChars) {
      current = candidate;
    } else {
      groups.push(current);
      current = [unit];
    }
  }
  if (current.length > 0) groups.push(current);

  return groups.map((group, i) => {
    const { blocks, cards: groupCards } = assemble(group);
    return makeReply({
      blocks,
      cards: groupCards,
      ...(i === groups.length - 1 && reply.buttons ? { buttons: reply.buttons } : {}),
      ...(i === groups.length - 1 && reply.links ? { links: reply.links } : {}),
      ...(i === 0 && reply.progress ? { progress: reply.progress } : {}),
    });
  });
}

// === Units: paragraphs, list items, cards

function toUnits(blocks: readonly Block[], cards: readonly Card[]): Unit[] {
  const units: Unit[] = [];
  blocks.forEach((block, b) => {
    if (block.type === 'paragraph') {
      units.push({ kind: 'para', spans: block.spans });
    } else {
      block.items.forEach((spans, index) => {
        units.push({ kind: 'item', list: b, ordered: block.ordered, index, spans });
      });
    }
  });
  for (const card of cards) units.push({ kind: 'card', card });
  return units;
}

/** Rebuilds blocks and cards from a run of units; an ordered list cut in two keeps its numbers. */
function assemble(units: readonly Unit[]): { blocks: Block[]; cards: Card[] } {
  const blocks: Block[] = [];
  const cards: Card[] = [];
  let openList: { list: number; items: Span[][] } | undefined;
  let continuedList: number | undefined;
  for (const unit of units) {
    if (unit.kind === 'card') {
      cards.push(unit.card);
      continue;
    }
    if (unit.kind === 'para') {
      openList = undefined;
      blocks.push({ type: 'paragraph', spans: unit.spans });
      continue;
    }
    if (openList && openList.list === unit.list) {
      openList.items.push([...unit.spans]);
      continue;
    }
    if (unit.ordered && (unit.index > 0 || continuedList === unit.list)) {
      // The list began in an earlier part: keep the user's numbering as explicit text.
      continuedList = unit.list;
      openList = undefined;
      blocks.push({ type: 'paragraph', spans: [{ text: `${unit.index + 1}. ` }, ...unit.spans] });
      continue;
    }
    const items: Span[][] = [[...unit.spans]];
    openList = { list: unit.list, items };
    blocks.push({ type: 'list', ordered: unit.ordered, items });
  }
  return { blocks, cards };
}

function measure(units: readonly Unit[]): number {
  const { blocks, cards } = assemble(units);
  return plainText(blocks, cards).length;
}

// === Oversized units

function fitUnit(unit: Unit, max: number): Unit[] {
  if (measure([unit]) <= max) return [unit];
  if (unit.kind === 'para') {
    return chunkSpans(unit.spans, max).map((spans) => ({ kind: 'para', spans }));
  }
  if (unit.kind === 'item') {
    const marker = unit.ordered ? `${unit.index + 1}. ` : '- ';
    const [first, ...rest] = chunkSpans(unit.spans, max - marker.length);
    return [
      { ...unit, spans: first ?? [] },
      ...rest.map((spans): Unit => ({ kind: 'para', spans })),
    ];
  }
  return splitCard(unit.card, max).map((card) => ({ kind: 'card', card }));
}

function splitCard(card: Card, max: number): Card[] {
  const head = cardToPlain({ title: `${card.title} (suite)`, subtitle: card.subtitle, lines: [] });
  const budget = Math.max(MIN_SPLIT_CHARS / 2, max - head.length - 1);
  const lines = card.lines.flatMap((line) =>
    spansToPlain(line).length <= budget ? [line] : chunkSpans(line, budget),
  );
  const pieces: Span[][][] = [];
  let current: Span[][] = [];
  for (const line of lines) {
    const candidate = [...current, [...line]];
    const title = pieces.length === 0 ? card.title : `${card.title} (suite)`;
    const size = cardToPlain({ title, subtitle: card.subtitle, lines: candidate }).length;
    if (current.length === 0 || size <= max) current = candidate;
    else {
      pieces.push(current);
      current = [[...line]];
    }
  }
  pieces.push(current);
  return pieces.map((pieceLines, i) => ({
    title: i === 0 ? card.title : `${card.title} (suite)`,
    ...(card.subtitle ? { subtitle: card.subtitle } : {}),
    lines: pieceLines,
    ...(i === pieces.length - 1 && card.buttons ? { buttons: card.buttons } : {}),
  }));
}

// === Cutting a run of spans between words

type Token = Span;

function tokenize(spans: readonly Span[], max: number): Token[] {
  const tokens: Token[] = [];
  for (const span of spans) {
    if (span.href) {
      const plain = spansToPlain([span]);
      if (plain.length <= max) tokens.push(span);
      else tokens.push(...hardCut(plain, max).map((t) => ({ text: t })));
      continue;
    }
    for (const match of span.text.matchAll(/\S+\s*|\s+/gu)) {
      const word = match[0];
      const pieces = word.length <= max ? [word] : hardCut(word, max);
      for (const text of pieces) tokens.push({ ...span, text });
    }
  }
  return tokens;
}

/** Last resort for a single « word » longer than the limit (a very long address). */
function hardCut(text: string, max: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  let current = '';
  for (const ch of chars) {
    if (current.length + ch.length > max) {
      out.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) out.push(current);
  return out;
}

function chunkSpans(spans: readonly Span[], max: number): Span[][] {
  const chunks: Span[][] = [];
  let current: Span[] = [];
  for (const token of tokenize(spans, max)) {
    const candidate = trimChunk([...current, token]);
    if (current.length === 0 || spansToPlain(candidate).length <= max) {
      current.push(token);
    } else {
      chunks.push(trimChunk(current));
      current = [token];
    }
  }
  if (current.length > 0) chunks.push(trimChunk(current));
  return chunks.map(mergeSpans).filter((c) => c.length > 0);
}

function trimChunk(spans: readonly Span[]): Span[] {
  const out = spans.map((s) => ({ ...s }));
  const first = out[0];
  if (first && !first.href) out[0] = { ...first, text: first.text.trimStart() };
  const lastIndex = out.length - 1;
  const last = out[lastIndex];
  if (last && !last.href) out[lastIndex] = { ...last, text: last.text.trimEnd() };
  return out.filter((s) => s.text.length > 0);
}

function mergeSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    const prev = out[out.length - 1];
    if (
      prev &&
      !prev.href &&
      !span.href &&
      Boolean(prev.bold) === Boolean(span.bold) &&
      Boolean(prev.italic) === Boolean(span.italic)
    ) {
      out[out.length - 1] = { ...prev, text: prev.text + span.text };
    } else {
      out.push({ ...span });
    }
  }
  return out;
}

/** A reply given only as `text` (no blocks): split the text itself into paragraphs. */
function splitBareText(reply: Reply, max: number): Reply[] {
  const paragraphs = reply.text.split(/\n{2,}/u).map(
    (p): Block => ({
      type: 'paragraph',
      spans: [{ text: p }],
    }),
  );
  return splitReply({ ...reply, blocks: paragraphs }, max);
}
