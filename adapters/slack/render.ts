/**
 * Neutral replies → Slack Block Kit messages, within every limit of PLATFORMS.md (Slack): at most
 * 50 blocks a message, section text ≤ 3000, button text ≤ 75, value ≤ 75, short action ids,
 * ≤ 25 elements an actions block, ≤ 10 a context block. All dynamic text goes through
 * {@link escapeMrkdwn}; every message carries a plain-text `text` fallback. Long content is split
 * across sections and messages, never cut silently.
 */
import type { types } from '@slack/bolt';
import { makeReply } from '../../src/reply/build.js';
import type { Block, Button, Card, Reply, Span } from '../../src/reply/model.js';
import { splitReply } from '../../src/reply/split.js';
import { START_PREFIX, UI_PREFIX } from './replies.js';
import { planActions } from './share.js';

// === Limits (PLATFORMS.md, Slack)

/** The Block Kit limits this renderer keeps (the test validator has its own copy). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 75,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  contextElements: 10,
  radioOptions: 10,
  selectOptions: 100,
  optionText: 75,
  optionValue: 75,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  placeholder: 150,
} as const;

/** Buttons per actions block: Slack allows 25; 5 keeps rows readable on a phone. */
const BUTTONS_PER_ROW = 5;

/** A Slack message body (chat.postMessage, response_url, respond()). */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

// === Escaping

/** Escapes the three characters Slack mrkdwn reserves (`&` first), and only those. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL safe inside `<url|label>`: no characters that would end or split the link. */
function safeUrl(href: string): string | undefined {
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return undefined;
  return href.replace(/[<>|\s]/g, (c) => encodeURIComponent(c));
}

/** Wraps `text` in a mrkdwn marker, keeping surrounding spaces outside (Slack needs that). */
function wrap(text: string, marker: string): string {
  const match = /^(\s*)(.*?)(\s*)$/su.exec(text);
  const [, lead = '', core = '', trail = ''] = match ?? [];
  return core === '' ? text : `${lead}${marker}${core}${marker}${trail}`;
}

/** One span as mrkdwn: escaped text, bold/italic markers, links as `<url|label>`. */
export function spanToMrkdwn(span: Span): string {
  let out = escapeMrkdwn(span.text);
  if (span.italic) out = wrap(out, '_');
  if (span.bold) out = wrap(out, '*');
  if (span.href) {
    const url = safeUrl(span.href);
    if (url) out = `<${url}|${out.replace(/\|/g, '¦') || escapeMrkdwn(span.href)}>`;
    else out = `${out} (${escapeMrkdwn(span.href)})`;
  }
  return out;
}

/** A run of spans as mrkdwn. */
export function spansToMrkdwn(spans: readonly Span[]): string {
  return spans.map(spanToMrkdwn).join('');
}

/** A neutral block as mrkdwn: a paragraph, or one list item a line (« • » or « 1. »). */
export function blockToMrkdwn(block: Block): string {
  if (block.type === 'paragraph') return spansToMrkdwn(block.spans);
  return block.items
    .map((item, i) => `${block.ordered ? `${i + 1}.` : '•'} ${spansToMrkdwn(item)}`)
    .join('\n');
}

/** A card as mrkdwn: bold title, italic subtitle, then its lines. */
export function cardToMrkdwn(card: Card): string {
  const head = [`*${escapeMrkdwn(card.title)}*`];
  if (card.subtitle) head.push(`_${escapeMrkdwn(card.subtitle)}_`);
  return [...head, ...card.lines.map(spansToMrkdwn)].join('\n');
}

// === Text that fits a section

/**
 * Cuts the mrkdwn of neutral blocks into pieces of at most `max` characters, using the neutral
 * splitter (paragraph, item and word boundaries) so that no escape or marker is ever cut in two.
 */
function fitBlocks(blocks: readonly Block[], max: number): string[] {
  const whole = blocks.map(blockToMrkdwn).join('\n\n');
  if (whole.length <= max) return [whole];
  // The escaped, marked-up text is longer than the plain one: shrink the plain budget until
  // every piece fits once rendered. Terminates: the splitter's floor (40) renders far below 3000.
  let budget = Math.max(40, Math.floor(max / 2));
  for (;;) {
    const parts = splitReply(makeReply({ blocks }), budget).map((r) =>
      r.blocks.map(blockToMrkdwn).join('\n\n'),
    );
    if (parts.every((p) => p.length <= max) || budget === 40) {
      return parts.flatMap((p) => (p.length <= max ? [p] : hardSplit(p, max)));
    }
    budget = Math.max(40, Math.floor(budget / 2));
  }
}

/** Last resort for one unbreakable run: cut between characters, never inside `&amp;`. */
function hardSplit(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const amp = rest.lastIndexOf('&', cut);
    if (amp > cut - 5 && amp > 0) cut = amp;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

// === Buttons

/** Where a button's value should go when clicked. */
export type ButtonKind = 'run' | 'start' | 'ui';

/** The action id prefix of each kind; the listeners match on these. */
export const ACTION_PREFIX: Readonly<Record<ButtonKind, string>> = {
  run: 'cv-run:',
  start: 'cv-start:',
  ui: 'cv-ui:',
};

/** A Slack button; `value` is the neutral action (≤ 48 ASCII bytes, under Slack's 75). */
export function slackButton(
  label: string,
  value: string,
  kind: ButtonKind,
  index: number,
  style?: 'primary',
): types.Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: fitLabel(label), emoji: true },
    action_id: `${ACTION_PREFIX[kind]}${index}`,
    value,
    ...(style ? { style } : {}),
  };
}

/** Labels are ≤ 60 by construction (src/reply); a longer one is shortened visibly with « … ». */
function fitLabel(label: string): string {
  const chars = [...label];
  return chars.length <= SLACK_LIMITS.buttonText
    ? label
    : `${chars.slice(0, SLACK_LIMITS.buttonText - 1).join('')}…`;
}

/** Buttons as actions blocks of at most {@link BUTTONS_PER_ROW}. */
export function actionRows(buttons: readonly types.Button[]): types.ActionsBlock[] {
  const rows: types.ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: 'actions', elements: buttons.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

// === Replies → blocks

/**
 * Where a neutral button goes: the channel's local prefixes (`~start:`, `~ui:`) pick the kind
 * and are stripped from the value; any other action belongs to the runtime (`run`).
 */
export function routeButton(button: Button): { kind: ButtonKind; value: string } {
  if (button.action.startsWith(START_PREFIX)) {
    return { kind: 'start', value: button.action.slice(START_PREFIX.length) };
  }
  if (button.action.startsWith(UI_PREFIX)) {
    return { kind: 'ui', value: button.action.slice(UI_PREFIX.length) };
  }
  return { kind: 'run', value: button.action };
}

function toSlackButton(b: Button, index: number): types.Button {
  const { kind, value } = routeButton(b);
  return slackButton(b.label, value, kind, index);
}

/** A rendered reply before packing. */
interface RenderedReply {
  readonly blocks: types.KnownBlock[];
}

function renderOne(reply: Reply, counter: { n: number }): RenderedReply {
  const blocks: types.KnownBlock[] = [];
  const progress = reply.progress
    ? `Question ${reply.progress.current}/${reply.progress.total}`
    : undefined;
  // Dialogues often word the question « Question 2/4 — … » themselves: say it once, as the
  // other channels do.
  if (progress && !reply.text.includes(progress)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: progress }] });
  }
  if (reply.blocks.length > 0) {
    for (const text of fitBlocks(reply.blocks, SLACK_LIMITS.sectionText)) {
      if (text.trim()) blocks.push(section(text));
    }
  } else if ((reply.cards ?? []).length === 0 && reply.text.trim()) {
    for (const text of fitBlocks([{ type: 'paragraph', spans: [{ text: reply.text }] }], 3000)) {
      blocks.push(section(text));
    }
  }
  for (const card of reply.cards ?? []) {
    const texts = fitCard(card);
    const buttons = (card.buttons ?? []).map((b) => toSlackButton(b, counter.n++));
    texts.forEach((text, i) => {
      const last = i === texts.length - 1;
      const only = buttons.length === 1 ? buttons[0] : undefined;
      blocks.push(last && only ? { ...section(text), accessory: only } : section(text));
    });
    if (buttons.length > 1) blocks.push(...actionRows(buttons));
  }
  // « Mon plan d'action » (issue 19): open the page, or share it in the channel.
  if (reply.links && reply.links.length > 0) blocks.push(...planActions(reply.links, counter.n++));
  const own = (reply.buttons ?? []).map((b) => toSlackButton(b, counter.n++));
  blocks.push(...actionRows(own));
  return { blocks };
}

function fitCard(card: Card): string[] {
  const whole = cardToMrkdwn(card);
  if (whole.length <= SLACK_LIMITS.sectionText) return [whole];
  // Too long: the title in its own section, then the lines cut like paragraphs.
  const lines: Block[] = card.lines.map((spans) => ({ type: 'paragraph', spans }));
  const head = cardToMrkdwn({ ...card, lines: [] });
  return [head, ...fitBlocks(lines, SLACK_LIMITS.sectionText)];
}

/**
 * Longest `text` fallback: Slack truncates a message's text after 4 000 characters and Block Kit
 * validators refuse more than 3 000. The fallback is what a notification or a screen reader
 * announces; the full content is always in the blocks.
 */
const MAX_FALLBACK = 3000;

/**
 * Renders the replies of one turn as few Slack messages as the 50-block limit allows: replies
 * share a message while they fit, a reply that alone exceeds 50 blocks continues in the next
 * message. Each message's `text` fallback is the text its blocks show, escaped.
 */
export function renderReplies(replies: readonly Reply[]): SlackMessage[] {
  const counter = { n: 0 };
  const messages: SlackMessage[] = [];
  let blocks: types.KnownBlock[] = [];
  const flush = () => {
    if (blocks.length === 0) return;
    messages.push({ text: fallbackOf(blocks), blocks });
    blocks = [];
  };
  for (const reply of replies) {
    const rendered = renderOne(reply, counter);
    if (blocks.length + rendered.blocks.length > SLACK_LIMITS.blocksPerMessage) flush();
    let rest = rendered.blocks;
    while (rest.length > 0) {
      const room = SLACK_LIMITS.blocksPerMessage - blocks.length;
      blocks.push(...rest.slice(0, room));
      rest = rest.slice(room);
      if (rest.length > 0) flush();
    }
  }
  flush();
  return messages;
}

/** The notification / screen-reader fallback of some blocks: their texts, never empty. */
export function fallbackOf(blocks: readonly types.KnownBlock[]): string {
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === 'section' && block.text) texts.push(block.text.text);
    if (block.type === 'header') texts.push(escapeMrkdwn(block.text.text));
    if (block.type === 'context') {
      for (const el of block.elements)
        if ('text' in el && typeof el.text === 'string') texts.push(el.text);
    }
  }
  const joined = texts.join('\n\n').trim() || 'Clic Centre-Ville';
  return [...joined].length <= MAX_FALLBACK ? joined : shorten(joined, MAX_FALLBACK);
}

/**
 * The beginning of a long mrkdwn text within `max` characters, ending with « … »: cut at the last
 * line or word boundary, never inside an escape (`&amp;`) or a link (`<url|label>`).
 */
function shorten(text: string, max: number): string {
  const chars = [...text].slice(0, max - 1);
  let cut = chars.length;
  const boundary = Math.max(chars.lastIndexOf('\n'), chars.lastIndexOf(' '));
  if (boundary > max / 2) cut = boundary;
  let head = chars.slice(0, cut).join('');
  // An unclosed link or escape at the end would show as markup: drop it.
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) head = head.slice(0, open);
  head = head.replace(/&[a-z]{0,3}$/, '');
  return `${head.trimEnd()}…`;
}

/** A single short message (errors, notices): one section and its fallback. */
export function simpleMessage(text: string): SlackMessage {
  const [message] = renderReplies([
    makeReply({ blocks: [{ type: 'paragraph', spans: [{ text }] }] }),
  ]);
  return message ?? { text: escapeMrkdwn(text) || 'Clic Centre-Ville', blocks: [] };
}
