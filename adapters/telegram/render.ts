/**
 * Neutral reply → Telegram `sendMessage` parameters. HTML parse mode, with every piece of text
 * escaped (it may hold what a user typed: a town, a search); long replies split at paragraph
 * boundaries below Telegram's 4096 characters with the shared splitter; choices as inline
 * keyboards whose `callback_data` is the reply's short action id (≤ 64 bytes, asserted).
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Block, Button, Card, Reply, Span } from '../../src/reply/model.js';
import { splitReply } from '../../src/reply/split.js';

// === Limits (../shared/PLATFORMS.md, Telegram Bot API)

/** Message text: 1–4096 characters after entity parsing. */
export const TELEGRAM_MAX_TEXT = 4096;
/** `callback_data`: 1–64 bytes of UTF-8. */
export const TELEGRAM_MAX_CALLBACK_BYTES = 64;
/** About 8 buttons a row is what clients accept. */
export const TELEGRAM_MAX_BUTTONS_PER_ROW = 8;
/** At most 100 buttons in one keyboard. */
export const TELEGRAM_MAX_BUTTONS = 100;

/** Characters we split at: the splitter measures plain text; our rendering adds a little. */
const SPLIT_AT = 3900;
/** A row holds short labels side by side while their total stays readable on a phone. */
const ROW_CHARS = 30;
/** A label longer than this always gets a row of its own. */
const LONG_LABEL = 20;

// === Public types

/** What one `sendMessage` call needs besides `chat_id`. */
export interface TelegramMessage {
  readonly text: string;
  readonly parse_mode: 'HTML';
  readonly reply_markup?: InlineKeyboardMarkup;
  readonly link_preview_options: { readonly is_disabled: true };
}

// === Escaping

/** Escapes text for Telegram HTML: `&` first, then `<` and `>`. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (an `href`): as text, plus `"` as `&quot;`. */
export function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Only web and mail links become `<a>`; anything else is shown as text. */
function safeHref(href: string): string | undefined {
  return /^(https?:|mailto:|tel:)/i.test(href) ? href : undefined;
}

// === Rendering text: HTML and its visible length side by side

interface Rendered {
  html: string;
  /** What the user sees (Telegram counts this against 4096). */
  visible: string;
}

function join(parts: readonly Rendered[], separator: string): Rendered {
  return {
    html: parts.map((p) => p.html).join(separator),
    visible: parts.map((p) => p.visible).join(separator),
  };
}

function plain(text: string): Rendered {
  return { html: escapeHtml(text), visible: text };
}

function renderSpan(span: Span): Rendered {
  const href = span.href ? safeHref(span.href) : undefined;
  let html = escapeHtml(span.text);
  let visible = span.text;
  if (span.href && !href && !span.text.includes(span.href)) {
    // Not a link we open: show the address as text, like the plain fallback.
    html += ` (${escapeHtml(span.href)})`;
    visible += ` (${span.href})`;
  }
  if (span.italic) html = `<i>${html}</i>`;
  if (span.bold) html = `<b>${html}</b>`;
  if (href) html = `<a href="${escapeAttribute(href)}">${html}</a>`;
  return { html, visible };
}

function renderSpans(spans: readonly Span[]): Rendered {
  return join(spans.map(renderSpan), '');
}

function renderBlock(block: Block): Rendered {
  if (block.type === 'paragraph') return renderSpans(block.spans);
  return join(
    block.items.map((item, i) => {
      const marker = plain(block.ordered ? `${i + 1}. ` : '• ');
      return join([marker, renderSpans(item)], '');
    }),
    '\n',
  );
}

function renderCard(card: Card, number: number | undefined): Rendered {
  const title = number === undefined ? card.title : `${number}. ${card.title}`;
  const head: Rendered = { html: `<b>${escapeHtml(title)}</b>`, visible: title };
  const parts = [head];
  if (card.subtitle) {
    parts.push({ html: `<i>${escapeHtml(card.subtitle)}</i>`, visible: card.subtitle });
  }
  for (const line of card.lines) parts.push(renderSpans(line));
  return join(parts, '\n');
}

// === Keyboards

/** Throws when `data` does not fit Telegram's `callback_data` (1–64 bytes of UTF-8). */
export function assertCallbackData(data: string): void {
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes < 1 || bytes > TELEGRAM_MAX_CALLBACK_BYTES) {
    throw new RangeError(`callback_data must be 1–${TELEGRAM_MAX_CALLBACK_BYTES} bytes (${bytes})`);
  }
}

/**
 * Lays buttons out in rows: short labels side by side (« Oui » « Non » « Je ne sais pas »), long
 * ones alone, never more than 8 a row nor 100 in all.
 */
export function layoutKeyboard(buttons: readonly Button[]): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  let row: InlineKeyboardButton[] = [];
  let width = 0;
  for (const b of buttons.slice(0, TELEGRAM_MAX_BUTTONS)) {
    assertCallbackData(b.action);
    const key: InlineKeyboardButton = { text: b.label, callback_data: b.action };
    const size = [...b.label].length;
    const long = size > LONG_LABEL;
    const fits =
      !long &&
      row.length > 0 &&
      row.length < TELEGRAM_MAX_BUTTONS_PER_ROW &&
      width + size <= ROW_CHARS;
    if (fits) {
      row.push(key);
      width += size;
      continue;
    }
    if (row.length > 0) rows.push(row);
    row = [key];
    width = long ? ROW_CHARS : size;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

// === Whole replies

/**
 * One reply part as a Telegram message: progress line, paragraphs and lists, cards (numbered
 * when several carry buttons, so that « 2. Voir la fiche » says which), then the keyboard.
 */
function renderPart(reply: Reply): { message: TelegramMessage; visibleLength: number } {
  const sections: Rendered[] = [];
  if (reply.progress) {
    const line = `Question ${reply.progress.current}/${reply.progress.total}`;
    // Dialogues often word the question « Question 2/4 — … » themselves: say it once.
    if (!reply.text.includes(line))
      sections.push({ html: `<i>${escapeHtml(line)}</i>`, visible: line });
  }
  const blocks = reply.blocks.map(renderBlock).filter((r) => r.visible.length > 0);
  if (blocks.length > 0) sections.push(...blocks);
  else if ((reply.cards ?? []).length === 0 && reply.text) sections.push(plain(reply.text));

  const cards = reply.cards ?? [];
  const numbered = cards.filter((c) => (c.buttons ?? []).length > 0).length > 1;
  const buttons: Button[] = [];
  cards.forEach((card, i) => {
    sections.push(renderCard(card, numbered ? i + 1 : undefined));
    for (const b of card.buttons ?? []) {
      buttons.push(numbered ? { label: numberLabel(i + 1, b.label), action: b.action } : b);
    }
  });
  buttons.push(...(reply.buttons ?? []));

  const body = join(sections, '\n\n');
  // « Mon plan d'action » (issue 19): a URL button, alone on its row, above the choices.
  const links = (reply.links ?? []).map((l): InlineKeyboardButton[] => [
    { text: l.label, url: l.url },
  ]);
  const keyboard = [...links, ...layoutKeyboard(buttons)];
  return {
    message: {
      // Telegram refuses an empty text; a lone keyboard still needs a line.
      text: body.visible.trim().length > 0 ? body.html : escapeHtml('Que souhaitez-vous faire ?'),
      parse_mode: 'HTML',
      ...(keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      link_preview_options: { is_disabled: true },
    },
    visibleLength: body.visible.trim().length > 0 ? body.visible.length : 26,
  };
}

function numberLabel(n: number, label: string): string {
  return `${n}. ${label}`;
}

/**
 * Renders a reply as one or more `sendMessage` parameter sets, each below 4096 visible
 * characters, split at paragraph and list-item boundaries by the shared splitter.
 */
export function renderReply(reply: Reply): TelegramMessage[] {
  for (let limit = SPLIT_AT; ; limit = Math.floor(limit * 0.8)) {
    const parts = splitReply(reply, limit).map(renderPart);
    if (parts.every((p) => p.visibleLength <= TELEGRAM_MAX_TEXT) || limit < 200) {
      return parts.map((p) => p.message);
    }
  }
}

/** Renders every reply of a turn, in order. */
export function renderReplies(replies: readonly Reply[]): TelegramMessage[] {
  return replies.flatMap(renderReply);
}

/** A reply's visible text without markup, for the fallback when Telegram rejects our HTML. */
export function toPlainMessage(message: TelegramMessage): {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
  link_preview_options: { is_disabled: true };
} {
  const text = message.text
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return {
    text,
    ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
    link_preview_options: { is_disabled: true },
  };
}
