/**
 * One driver per channel for the contract suite (issue 17): each plays a person on that channel
 * through its real entry point — the widget's HTTP API (`inject`), Telegram's webhook (Bot API
 * faked with nock by test/telegram/helpers.ts), Slack's signed `/slack/events` requests (Web API
 * and `response_url` faked with nock by test/slack/helpers.ts), the terminal session — and reads
 * back what that person is shown, as the channel-neutral content of ./content.ts.
 */
import { expect } from 'vitest';
import { createConsoleSession } from '../../adapters/console/session.js';
import { PLAN_SHARE_ACTION } from '../../adapters/slack/share.js';
import type { WebReply } from '../../adapters/web/render.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { withPlanLink, withPlanLinks } from '../../src/plan/links.js';
import { createPlanService } from '../../src/plan/service.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { PUBLIC_URL, SECRET } from '../plan/helpers.js';
import { createTestApp } from '../server/helpers.js';
import {
  blockActionPayload,
  createSlackTestApp,
  type SlackTestApp,
  viewSubmissionPayload,
} from '../slack/helpers.js';
import { callbackUpdate, commandUpdate, textUpdate } from '../telegram/fixtures/updates.js';
import {
  type ApiCall,
  buttonsOf,
  createHarness,
  expectValidSendMessage,
  visibleText,
} from '../telegram/helpers.js';
import { type Shown, slackMrkdwnToText } from './content.js';
import { shownInWidget } from './widget-dom.js';

/** The four channels of issue 17. */
export type ChannelName = 'web' | 'telegram' | 'slack' | 'console';

/** The town every driver's deployment serves (TOWN_NAME), so that no dialogue asks it. */
export const TOWN = 'Dole';
/**
 * Every channel runs as `main` composes it: « Mon plan d'action » on (PUBLIC_URL set), so that
 * each result carries its link. The link's address differs (one conversation each), its label
 * and sentence do not.
 */
const PLANS = { publicUrl: PUBLIC_URL, secret: SECRET } as const;

/** A person on one channel. */
export interface ChannelDriver {
  readonly name: ChannelName;
  /**
   * Opens the conversation as the channel does (the widget's creation, Telegram's `/start`, the
   * terminal's first screen), at `entry` when given (`data-start`, `/start <entry>`,
   * `--start <entry>`). Slack has no welcome of its own: the conversation opens with the first
   * `/centreville` text, and the runtime answers that first message with the welcome and its
   * answer in one turn — so `start()` shows nothing there (see `play` in contract.test.ts); its
   * only entry points are `/centreville objectif <n>` (the territory diagnostic is its modal).
   */
  start(entry?: string): Promise<void>;
  /** Types a message. */
  say(text: string): Promise<void>;
  /** Presses the first button shown by the last turn whose label is `label`. */
  press(label: string): Promise<void>;
  /** What was shown since the last read, one entry per platform message. */
  read(): Shown[];
  close(): Promise<void>;
}

/** Throws, naming what was offered, when no button of the last turn has this label. */
function pick<T>(buttons: readonly T[], label: string, labelOf: (b: T) => string): T {
  const found = buttons.find((b) => labelOf(b) === label);
  if (!found) {
    throw new Error(`no button « ${label} » among: ${buttons.map(labelOf).join(' | ')}`);
  }
  return found;
}

// === Web: the widget's HTTP API

/** A visitor of the town's website, through `POST /api/web/conversations[/:id/messages]`. */
export async function webDriver(): Promise<ChannelDriver> {
  const composed = await createTestApp({
    engine: createDialogueEngine(),
    env: { PUBLIC_URL },
    extra: { planSecret: SECRET },
  });
  let id = '';
  let last: WebReply[] = [];
  const pending: Shown[] = [];
  const post = async (url: string, payload: object, status: number): Promise<WebReply[]> => {
    const res = await composed.app.inject({ method: 'POST', url, payload });
    if (res.statusCode !== status) throw new Error(`web ${url}: ${res.statusCode} ${res.body}`);
    const body = res.json() as { conversationId?: string; messages: WebReply[] };
    if (body.conversationId) id = body.conversationId;
    last = body.messages;
    pending.push(...last.map(shownInWidget));
    return last;
  };
  const message = (payload: object) => post(`/api/web/conversations/${id}/messages`, payload, 200);
  return {
    name: 'web',
    async start(entry) {
      await post('/api/web/conversations', { town: TOWN, ...(entry ? { start: entry } : {}) }, 201);
    },
    async say(text) {
      await message({ text });
    },
    async press(label) {
      const offered = last.flatMap((r) => [
        ...(r.cards ?? []).flatMap((c) => c.buttons ?? []),
        ...(r.buttons ?? []),
      ]);
      await message({ action: pick(offered, label, (b) => b.label).action });
    },
    read: () => pending.splice(0),
    close: () => composed.close(),
  };
}

// === Telegram: the webhook, the Bot API faked at the HTTP boundary

/**
 * Telegram numbers the cards of a message when several carry buttons, and their buttons with
 * them (« 2. Voir la fiche »): the number is layout, not content.
 */
const unnumbered = (label: string): string => label.replace(/^\d+\. /, '');

/**
 * The call without its URL buttons (« Mon plan d'action »), for the Telegram kit's validator,
 * which checks every button's `callback_data` and so cannot read a URL button.
 */
function withoutUrlButtons(call: ApiCall): ApiCall {
  const markup = call.body.reply_markup as { inline_keyboard: { url?: string }[][] } | undefined;
  if (!markup) return call;
  const rows = markup.inline_keyboard
    .map((row) => row.filter((b) => b.url === undefined))
    .filter((row) => row.length > 0);
  const { reply_markup: _, ...body } = call.body;
  return {
    ...call,
    body: rows.length > 0 ? { ...body, reply_markup: { inline_keyboard: rows } } : body,
  };
}

/** A person in a private chat with the bot, through `POST /telegram/webhook`. */
export async function telegramDriver(): Promise<ChannelDriver> {
  const tg = await createHarness({ town: TOWN, plans: PLANS });
  let updateId = 1;
  let seen = 0;
  let lastTurn: ApiCall[] = [];
  const post = async (update: object): Promise<void> => {
    const before = tg.calls.length;
    const res = await tg.post(update);
    if (res.statusCode !== 200) throw new Error(`telegram webhook: ${res.statusCode}`);
    lastTurn = tg.calls.slice(before).filter((c) => c.method === 'sendMessage');
    for (const call of lastTurn) expectValidSendMessage(withoutUrlButtons(call));
  };
  return {
    name: 'telegram',
    start: (entry) => post(commandUpdate(updateId++, entry ? `/start ${entry}` : '/start')),
    say: (text) => post(textUpdate(updateId++, text)),
    async press(label) {
      const offered = lastTurn.flatMap((call) =>
        buttonsOf(call)
          .filter((b) => b.callback_data !== undefined)
          .map((b) => ({ ...b, messageId: call.messageId })),
      );
      const b = pick(offered, label, (x) => unnumbered(x.text));
      await post(callbackUpdate(updateId++, b.callback_data, b.messageId));
    },
    read() {
      const sent = tg.callsOf('sendMessage');
      const fresh = sent.slice(seen);
      seen = sent.length;
      return fresh.map((call) => ({
        text: visibleText(String(call.body.text)),
        buttons: buttonsOf(call)
          .filter((b) => b.callback_data !== undefined)
          .map((b) => unnumbered(b.text)),
      }));
    },
    close: () => tg.close(),
  };
}

// === Slack: signed requests to /slack/events, Web API and response_url faked

/** A Block Kit button as Slack sends it back in `block_actions`. */
interface SlackButton {
  readonly label: string;
  readonly actionId: string;
  readonly value: string;
}

/** A Slack message (response_url post or chat.postMessage) in plain text, with its buttons. */
export function slackMessageToShown(message: Record<string, unknown>): Shown & {
  readonly slackButtons: SlackButton[];
} {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Record<string, unknown>[]) : [];
  const lines: string[] = [];
  const slackButtons: SlackButton[] = [];
  const visit = (el: Record<string, unknown> | undefined) => {
    // URL buttons open a page (« Mon plan d'action », also a link in the text); « Partager dans
    // le canal » is Slack's own way to show the plan to colleagues (issue 19): neither sends the
    // dialogue anything.
    if (el?.type !== 'button' || el.url !== undefined) return;
    if (String(el.action_id).startsWith(PLAN_SHARE_ACTION)) return;
    slackButtons.push({
      label: (el.text as { text: string }).text,
      actionId: String(el.action_id),
      value: String(el.value ?? ''),
    });
  };
  for (const block of blocks) {
    if (block.type === 'section' || block.type === 'header') {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      lines.push(block.type === 'header' ? text : slackMrkdwnToText(text));
      visit(block.accessory as Record<string, unknown> | undefined);
    }
    if (block.type === 'context') {
      for (const el of block.elements as { text?: string }[])
        if (el.text) lines.push(slackMrkdwnToText(el.text));
    }
    if (block.type === 'actions') {
      for (const el of block.elements as Record<string, unknown>[]) visit(el);
    }
  }
  return { text: lines.join('\n'), buttons: slackButtons.map((b) => b.label), slackButtons };
}

/** How far into the test kit's records (response_url posts, messages posted) a reader is. */
interface SlackCursor {
  hooks: number;
  posts: number;
}

/** Messages posted to the user (direct or ephemeral) by the Web API. */
function slackPosts(t: SlackTestApp): Record<string, unknown>[] {
  return t.api
    .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral')
    .map((c) => c.args);
}

/**
 * What the Slack user was sent after `from` — answers through `response_url`, then messages
 * posted (the modal answers by direct message) — and moves `from` to the end. One request's
 * answer goes one way or the other, so each turn's messages keep their order.
 */
function slackSince(t: SlackTestApp, from: SlackCursor): Record<string, unknown>[] {
  const posts = slackPosts(t);
  const fresh = [...t.hooks.slice(from.hooks).map((h) => h.body), ...posts.slice(from.posts)];
  from.hooks = t.hooks.length;
  from.posts = posts.length;
  return fresh;
}

/**
 * The Block Kit problems the Slack test kit found, but one: the kit keeps every button value
 * ≤ 75 characters (its own rule, test/slack/block-kit-limits.ts), while « Partager dans le
 * canal » carries the plan's URL, which Slack accepts up to 2000 (PLATFORMS.md; the limit
 * adapters/slack/share.ts applies). Every such value is checked here instead: a share button,
 * a plan URL, at most 2000 characters.
 */
function slackViolations(t: SlackTestApp): string[] {
  for (const message of slackSince(t, { hooks: 0, posts: 0 })) {
    for (const block of (message.blocks ?? []) as { elements?: Record<string, unknown>[] }[]) {
      for (const el of block.elements ?? []) {
        const value = typeof el.value === 'string' ? el.value : '';
        if (value.length <= 75) continue;
        expect(String(el.action_id)).toMatch(new RegExp(`^${PLAN_SHARE_ACTION}`));
        expect(value.startsWith(`${PUBLIC_URL}/plan/`)).toBe(true);
        expect(value.length).toBeLessThanOrEqual(2000);
      }
    }
  }
  return t.violations.filter((v) => !/elements\[\d+\]: value > 75$/.test(v));
}

/** A Slack driver, with the modal path beside the typed one. */
export interface SlackDriver extends ChannelDriver {
  /** Submits the « Diagnostic du territoire » modal with these state values. */
  submitDiagnostic(values: Record<string, Record<string, unknown>>): Promise<void>;
}

/**
 * A town agent on Slack: typed text goes through `/centreville <texte>`, buttons are
 * `block_actions`, the modal a `view_submission`; `close()` closes the app and checks every
 * payload against Block Kit's limits.
 */
export async function slackDriver(): Promise<SlackDriver> {
  const t = await createSlackTestApp({ plans: PLANS, townRegion: '' });
  const seen: SlackCursor = { hooks: 0, posts: 0 };
  let lastTurn: SlackButton[] = [];
  const request = async (send: () => Promise<{ statusCode: number }>): Promise<void> => {
    const before = { hooks: t.hooks.length, posts: slackPosts(t).length };
    const res = await send();
    if (res.statusCode !== 200) throw new Error(`slack: ${res.statusCode}`);
    await t.channel.drain();
    lastTurn = slackSince(t, before).flatMap((m) => slackMessageToShown(m).slackButtons);
  };
  return {
    name: 'slack',
    async start(entry) {
      if (entry === undefined) return; // nothing to open: see ChannelDriver.start
      const objective = /^objectif-([1-5])$/.exec(entry);
      if (!objective) throw new Error(`Slack has no entry point « ${entry} »`);
      await request(() => t.command(`objectif ${objective[1]}`));
    },
    say: (text) => request(() => t.command(text)),
    async press(label) {
      const b = pick(lastTurn, label, (x) => x.label);
      await request(() => t.interact(blockActionPayload(b.actionId, b.value)));
    },
    submitDiagnostic: (values) =>
      request(() => t.interact(viewSubmissionPayload('cv-diagnostic', values))),
    read: () =>
      slackSince(t, seen).map((m) => {
        const { text, buttons } = slackMessageToShown(m);
        return { text, buttons };
      }),
    async close() {
      await t.close();
      expect(slackViolations(t)).toEqual([]);
    },
  };
}

// === Console: the terminal session

/** One terminal screen: numbered choices are buttons, « [ Titre ] » a card title. */
export function consoleScreenToShown(screen: string): Shown {
  const lines: string[] = [];
  const buttons: string[] = [];
  for (const raw of screen.split('\n')) {
    const line = raw.trim();
    const choice = /^\d+\) (.+)$/.exec(line);
    const title = /^\[ (.+) \]$/.exec(line);
    const progress = /^\((Question \d+\/\d+)\)$/.exec(line);
    if (choice?.[1]) buttons.push(choice[1]);
    else lines.push(title?.[1] ?? progress?.[1] ?? line);
  }
  return { text: lines.join('\n'), buttons };
}

/**
 * Someone at `npm run chat -- --data <dir>` with PUBLIC_URL set: numbers pick choices, anything
 * else is typed. (Without `--data`, adapters/console/main.ts runs the dialogue without « Mon plan
 * d'action », so its results lack the line every other channel shows.)
 */
export async function consoleDriver(): Promise<ChannelDriver> {
  const store = createMemoryStore();
  const runtime = withPlanLinks(
    createRuntime({
      engine: withPlanLink(createDialogueEngine()),
      store,
      logger: createLogger({ level: 'silent' }),
    }),
    createPlanService({ store, ...PLANS }),
  );
  let session = createConsoleSession({ runtime, town: TOWN });
  const pending: Shown[] = [];
  let last: Shown = { text: '', buttons: [] };
  const show = (screen: string) => {
    last = consoleScreenToShown(screen);
    pending.push(last);
  };
  return {
    name: 'console',
    async start(entry) {
      if (entry) session = createConsoleSession({ runtime, town: TOWN, start: entry });
      show(await session.open());
    },
    say: async (text) => show(await session.send(text)),
    async press(label) {
      const index = last.buttons.indexOf(pick(last.buttons, label, (b) => b));
      show(await session.send(String(index + 1)));
    },
    read: () => pending.splice(0),
    async close() {
      await runtime.close();
      await store.close();
    },
  };
}

/** Every driver, by name. */
export const DRIVERS: Readonly<Record<ChannelName, () => Promise<ChannelDriver>>> = {
  web: webDriver,
  telegram: telegramDriver,
  slack: slackDriver,
  console: consoleDriver,
};
