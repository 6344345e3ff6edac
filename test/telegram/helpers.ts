/**
 * Telegram test kit: a fastify server with the Telegram plugin, a memory store, the real runtime
 * and the real dialogue engine; the Bot API intercepted with nock at a fake TELEGRAM_API_ROOT
 * (`http://telegram.test/bot<token>/<method>`), every call recorded and every outgoing message
 * checked against Telegram's limits (text ≤ 4096, parse_mode HTML, callback_data ≤ 64 bytes).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Update } from 'grammy/types';
import nock from 'nock';
import { expect } from 'vitest';
import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramChannelDeps,
} from '../../adapters/telegram/channel.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { withPlanLink, withPlanLinks } from '../../src/plan/links.js';
import { createPlanService } from '../../src/plan/service.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import { BOT_INFO, CHAT_ID } from './fixtures/updates.js';

export const TOKEN = '7012345678:AAH-test_token-for-nock';
/** The bot's id (the token's first part): the channel scopes every key with it. */
export const BOT_ID = '7012345678';
export const SECRET = 'webhook-secret_9f3b2c';
export const API_ROOT = 'http://telegram.test';
export const WEBHOOK = '/telegram/webhook';

/** One Bot API call as Telegram received it. */
export interface ApiCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  /** The message id our fake Telegram gave a sent message. */
  messageId?: number;
}

/** A canned failure for the next call(s) to a method. */
export interface CannedFailure {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Log lines kept for assertions. */
export interface LogLine {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg?: string;
}

/** Everything a test drives. */
export interface Harness {
  readonly app: FastifyInstance;
  readonly channel: TelegramChannel;
  readonly store: Store;
  readonly calls: ApiCall[];
  readonly logs: LogLine[];
  /** The next `times` calls to `method` fail with `failure` (then it works again). */
  failNext(method: string, failure: CannedFailure, times?: number): void;
  /** POSTs an update to the webhook with the right secret (or `secret`, or none if null). */
  post(update: Update | unknown, secret?: string | null): Promise<LightMyRequestResponse>;
  /** Calls of one method, in order. */
  callsOf(method: string): ApiCall[];
  /** Forgets the recorded calls (not the conversation). */
  reset(): void;
  close(): Promise<void>;
}

let nextMessageId = 5000;

/** Builds the server and intercepts the Bot API. Call `close()` in afterEach. */
export async function createHarness(
  overrides: Partial<Pick<TelegramChannelDeps, 'retry' | 'town' | 'outboxSweepMs'>> & {
    /** A store that outlives the harness (a « restarted » process): not closed by `close()`. */
    readonly store?: Store;
    /** « Mon plan d'action » links (issue 19) under this PUBLIC_URL, sealed with this secret. */
    readonly plans?: { readonly publicUrl: string; readonly secret: string };
  } = {},
): Promise<Harness> {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
  const calls: ApiCall[] = [];
  const logs: LogLine[] = [];
  const failures = new Map<string, CannedFailure[]>();

  const scope = nock(API_ROOT)
    .persist()
    .post(new RegExp(`^/bot${TOKEN.replace(/[-:]/g, '\\$&')}/\\w+$`))
    .reply((uri, requestBody) => {
      const method = uri.split('/').pop() ?? '';
      const body = (
        typeof requestBody === 'string' && requestBody.length > 0
          ? JSON.parse(requestBody)
          : (requestBody ?? {})
      ) as Record<string, unknown>;
      const call: ApiCall = { method, body };
      calls.push(call);
      const queued = failures.get(method);
      const failure = queued?.shift();
      if (failure) return jsonReply(failure.status, failure.body);
      const result = fakeResult(method, body);
      if (method === 'sendMessage') call.messageId = (result as { message_id: number }).message_id;
      return jsonReply(200, { ok: true, result });
    });

  const store = overrides.store ?? createMemoryStore();
  const silent = createLogger({ level: 'silent' });
  const plans = overrides.plans ? createPlanService({ store, ...overrides.plans }) : undefined;
  const runtime = plans
    ? withPlanLinks(
        createRuntime({ engine: withPlanLink(createDialogueEngine()), store, logger: silent }),
        plans,
      )
    : createRuntime({ engine: createDialogueEngine(), store, logger: silent });
  const record =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) });
    };
  const channel = createTelegramChannel({
    config: { botToken: TOKEN, webhookSecret: SECRET, mode: 'webhook', apiRoot: API_ROOT },
    runtime,
    store,
    logger: {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    },
    botInfo: BOT_INFO,
    retry: { maxRetryAttempts: 2, maxDelaySeconds: 5, ...overrides.retry },
    ...(overrides.town ? { town: overrides.town } : {}),
    ...(overrides.outboxSweepMs !== undefined ? { outboxSweepMs: overrides.outboxSweepMs } : {}),
  });
  const app = await buildServer({
    logger: silent,
    metrics: createMetrics({ channels: ['telegram'] }),
    readiness: store,
    channels: [channel],
  });
  await app.ready();

  return {
    app,
    channel,
    store,
    calls,
    logs,
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(method, queue);
    },
    post(update, secret = SECRET) {
      return app.inject({
        method: 'POST',
        url: WEBHOOK,
        headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
        payload: update as object,
      });
    },
    callsOf(method) {
      return calls.filter((c) => c.method === method);
    },
    reset() {
      calls.length = 0;
    },
    async close() {
      await app.close();
      await channel.stop();
      if (!overrides.store) await store.close();
      scope.persist(false);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/**
 * grammY sends `Connection: keep-alive`; nock 14 then never ends a response without an explicit
 * Content-Length, so every canned answer carries one.
 */
function jsonReply(status: number, value: unknown): [number, string, Record<string, string>] {
  const json = JSON.stringify(value);
  return [
    status,
    json,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) },
  ];
}

function fakeResult(method: string, body: Record<string, unknown>): unknown {
  switch (method) {
    case 'sendMessage':
      return {
        message_id: nextMessageId++,
        from: BOT_INFO,
        chat: { id: body.chat_id ?? CHAT_ID, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: String(body.text ?? ''),
      };
    default:
      return true;
  }
}

// === What the user sees

/** The Telegram HTML of a sent message turned back into what the user reads. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Everything sent by sendMessage, as read by the user, in order. */
export function sentTexts(calls: readonly ApiCall[]): string[] {
  return calls
    .filter((c) => c.method === 'sendMessage')
    .map((c) => visibleText(String(c.body.text)));
}

/** The keyboard buttons of a sendMessage call. */
export function buttonsOf(call: ApiCall): { text: string; callback_data: string }[] {
  const markup = call.body.reply_markup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat();
}

/** The last message sent with a keyboard (the one the user presses now). */
export function lastKeyboardMessage(calls: readonly ApiCall[]): ApiCall | undefined {
  const withKeyboard = calls.filter((c) => c.method === 'sendMessage' && buttonsOf(c).length > 0);
  return withKeyboard[withKeyboard.length - 1];
}

/** The last keyboard sent, flattened (the buttons the user can press now). */
export function lastButtons(calls: readonly ApiCall[]): { text: string; callback_data: string }[] {
  const last = lastKeyboardMessage(calls);
  return last ? buttonsOf(last) : [];
}

/**
 * Telegram's rules for every sendMessage (PLATFORMS.md): HTML parse mode, 1–4096 visible
 * characters, only the tags and entities Telegram accepts, ≤ 8 buttons a row, ≤ 100 in all,
 * callback_data of 1–64 bytes.
 */
export function expectValidSendMessage(call: ApiCall): void {
  expect(call.method).toBe('sendMessage');
  expect(call.body.parse_mode).toBe('HTML');
  const html = String(call.body.text);
  const visible = visibleText(html);
  expect(visible.length).toBeGreaterThan(0);
  expect(visible.length).toBeLessThanOrEqual(4096);
  for (const tag of html.matchAll(/<\/?([a-z-]+)[^>]*>/g)) {
    expect(['b', 'i', 'a', 'code', 'pre', 'u', 's', 'blockquote']).toContain(tag[1]);
  }
  for (const entity of html.matchAll(/&[^;\s]*;?/g)) {
    expect(['&amp;', '&lt;', '&gt;', '&quot;']).toContain(entity[0]);
  }
  const markup = call.body.reply_markup as
    | { inline_keyboard: { text: string; callback_data: string }[][] }
    | undefined;
  if (markup) {
    const rows = markup.inline_keyboard;
    expect(rows.flat().length).toBeLessThanOrEqual(100);
    for (const row of rows) {
      expect(row.length).toBeGreaterThan(0);
      expect(row.length).toBeLessThanOrEqual(8);
      for (const key of row) {
        expect(key.text.length).toBeGreaterThan(0);
        const bytes = Buffer.byteLength(key.callback_data, 'utf8');
        expect(bytes).toBeGreaterThanOrEqual(1);
        expect(bytes).toBeLessThanOrEqual(64);
      }
    }
  }
}

/** Checks every sendMessage recorded so far. */
export function expectAllValid(calls: readonly ApiCall[]): void {
  for (const call of calls.filter((c) => c.method === 'sendMessage')) expectValidSendMessage(call);
}

/** The button whose label matches, or a failed expectation listing what was offered. */
export function findButton(
  buttons: readonly { text: string; callback_data: string }[],
  label: RegExp,
): { text: string; callback_data: string } {
  const found = buttons.find((b) => label.test(b.text));
  expect(found, `no button ${label} among ${buttons.map((b) => b.text).join(' | ')}`).toBeDefined();
  return found as { text: string; callback_data: string };
}
