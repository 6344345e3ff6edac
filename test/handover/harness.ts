/**
 * Handover test kit: the app as `main` composes it (Telegram + Slack + HANDOVER_SLACK_CHANNEL),
 * the real dialogue, the Bot API and the Slack Web API intercepted with nock at fake roots, a
 * settable clock, and Events API / interactivity requests signed as Slack signs them.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { Update } from 'grammy/types';
import nock from 'nock';
import { OPTIONAL_CHANNELS } from '../../src/app/channels.js';
import { type ComposedApp, composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import { assertBlockKitMessage } from '../slack/block-kit-limits.js';
import { payloadBody, SECRET as SLACK_SECRET, slackHeaders, TEAM } from '../slack/helpers.js';

export { until } from '../slack/helpers.js';

import { BOT_INFO } from '../telegram/fixtures/updates.js';

export const TG_ROOT = 'http://telegram.test';
export const TG_TOKEN = '7012345678:AAH-test_token-for-nock';
export const TG_SECRET = 'webhook-secret_9f3b2c';
export const SLACK_HOST = 'http://slack.test';
export const TEAM_CHANNEL = 'C0COMMERCE';
export const STAFF = 'U0CLAIRE';

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

/**
 * The outside world of one or more instances: the fake Bot API and Slack Web API (nock, once per
 * process), what they received, and the clock. Two harnesses given the same world are two
 * instances of the app talking to the same Telegram and Slack.
 */
export interface HandoverWorld {
  /** Bodies of Telegram sendMessage calls that went through, in order. */
  readonly telegram: Record<string, unknown>[];
  readonly slack: SlackCall[];
  /** Block Kit limit violations found in what went to Slack. */
  readonly violations: string[];
  /** While true, the Slack Web API answers 503. */
  slackDown: boolean;
  /** While true, the Bot API refuses sendMessage (403, the bot was blocked). */
  telegramRefuses: boolean;
  /** sendMessage calls the Bot API refused. */
  refused: number;
  now(): number;
  advance(ms: number): void;
}

export interface HandoverHarness {
  readonly app: ComposedApp;
  readonly store: Store;
  readonly world: HandoverWorld;
  /** Bodies of Telegram sendMessage calls, in order. */
  readonly telegram: Record<string, unknown>[];
  readonly slack: SlackCall[];
  /** Block Kit limit violations found in what went to Slack. */
  readonly violations: string[];
  /** While true, the Slack Web API answers 503. */
  slackDown: boolean;
  /** Moves the fake clock. */
  advance(ms: number): void;
  /** Stops this instance (its store too), leaving the world's mocks in place for the others. */
  stop(): Promise<void>;
  telegramUpdate(update: Update): Promise<LightMyRequestResponse>;
  slackEvent(
    event: Record<string, unknown>,
    options?: { eventId?: string; retryNum?: number },
  ): Promise<LightMyRequestResponse>;
  slackAction(actionId: string, ts: string, channel?: string): Promise<LightMyRequestResponse>;
  /** Slack calls of one method. */
  calls(method: string): SlackCall[];
  /** Stops the instance and removes the mocks. */
  close(): Promise<void>;
}

function json(status: number, value: unknown): [number, string, Record<string, string>] {
  const body = JSON.stringify(value);
  return [
    status,
    body,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
  ];
}

let tsCounter = 100;

/** A fresh world: the Bot API and Slack mocked at their HTTP boundary, a clock at `start`. */
export function createHandoverWorld(start: Date = new Date()): HandoverWorld {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
  let clock = start.getTime();
  const telegram: Record<string, unknown>[] = [];
  const slack: SlackCall[] = [];
  const violations: string[] = [];
  let messageId = 7000;
  const harness: HandoverWorld = {
    telegram,
    slack,
    violations,
    slackDown: false,
    telegramRefuses: false,
    refused: 0,
    now: () => clock,
    advance(ms) {
      clock += ms;
    },
  };

  nock(TG_ROOT)
    .persist()
    .post(/^\/bot[^/]+\/\w+$/)
    .reply((uri, body) => {
      const method = uri.split('/').pop();
      if (method === 'getMe') return json(200, { ok: true, result: BOT_INFO });
      if (method === 'sendMessage' && harness.telegramRefuses) {
        harness.refused++;
        return json(403, {
          ok: false,
          error_code: 403,
          description: 'Forbidden: bot was blocked by the user',
        });
      }
      if (method === 'sendMessage') {
        telegram.push(body as Record<string, unknown>);
        return json(200, {
          ok: true,
          result: {
            message_id: messageId++,
            date: 0,
            chat: { id: (body as { chat_id: number }).chat_id, type: 'private' },
            text: 'ok',
          },
        });
      }
      return json(200, { ok: true, result: true });
    });

  nock(SLACK_HOST)
    .persist()
    .post(/^\/api\/[a-z.]+$/i)
    .reply((uri, body) => {
      if (harness.slackDown) return json(503, { ok: false, error: 'service_unavailable' });
      const method = uri.replace('/api/', '');
      const args: Record<string, unknown> =
        typeof body === 'string'
          ? Object.fromEntries(new URLSearchParams(body))
          : { ...(body as Record<string, unknown>) };
      if (typeof args.blocks === 'string') args.blocks = JSON.parse(args.blocks) as unknown;
      slack.push({ method, args });
      if (method === 'chat.postMessage' || method === 'chat.update') {
        try {
          assertBlockKitMessage(args);
        } catch (error) {
          violations.push(`${method}: ${(error as Error).message}`);
        }
      }
      if (method === 'users.info') {
        return json(200, {
          ok: true,
          user: { id: args.user, profile: { first_name: 'Claire', real_name: 'Claire Martin' } },
        });
      }
      if (method === 'chat.postMessage') {
        tsCounter++;
        return json(200, { ok: true, channel: args.channel, ts: `1780000000.000${tsCounter}` });
      }
      return json(200, { ok: true });
    });

  return harness;
}

export async function createHandoverHarness(
  options: {
    env?: Record<string, string>;
    store?: Store;
    start?: Date;
    widgetFile?: string;
    /** Another instance's world: same mocks, same clock. */
    world?: HandoverWorld;
    /** Starts the channels and the periodic check every `checkMs` (none by default). */
    checkMs?: number;
  } = {},
): Promise<HandoverHarness> {
  const world = options.world ?? createHandoverWorld(options.start);
  const { telegram, slack, violations } = world;
  const store = options.store ?? createMemoryStore();
  const config = loadConfig({
    WEB_RATE_LIMIT_PER_MINUTE: '0',
    TOWN_NAME: 'Dole',
    TOWN_REGION: 'Bourgogne-Franche-Comté',
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: TG_ROOT,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-1-2',
    SLACK_API_URL: `${SLACK_HOST}/api/`,
    HANDOVER_SLACK_CHANNEL: TEAM_CHANNEL,
    ...options.env,
  });
  const app = await composeApp(config, {
    engine: createDialogueEngine(),
    store,
    logger: createLogger({ level: 'silent' }),
    channelFactories: OPTIONAL_CHANNELS,
    now: () => new Date(world.now()),
    handoverCheckMs: options.checkMs ?? 0,
    ...(options.widgetFile ? { widgetFile: options.widgetFile } : {}),
  });

  if (options.checkMs) await app.startChannels();
  let eventCounter = 0;
  const result: HandoverHarness = {
    app,
    store,
    world,
    telegram,
    slack,
    violations,
    get slackDown() {
      return world.slackDown;
    },
    set slackDown(value: boolean) {
      world.slackDown = value;
    },
    advance(ms) {
      world.advance(ms);
    },
    stop() {
      return app.close();
    },
    telegramUpdate(update) {
      return app.app.inject({
        method: 'POST',
        url: '/telegram/webhook',
        payload: update as object,
        headers: { 'x-telegram-bot-api-secret-token': TG_SECRET },
      });
    },
    slackEvent(event, eventOptions = {}) {
      eventCounter++;
      const raw = JSON.stringify({
        token: 'gIkuvaNzQIHg97ATvDxqgjtO',
        team_id: TEAM,
        api_app_id: 'A0CLICCV',
        event,
        type: 'event_callback',
        event_id: eventOptions.eventId ?? `Ev0HANDOVER${eventCounter}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM, user_id: 'U0BOT', is_bot: true }],
      });
      return app.app.inject({
        method: 'POST',
        url: '/slack/events',
        payload: raw,
        headers: slackHeaders(raw, {
          json: true,
          ...(eventOptions.retryNum !== undefined ? { retryNum: eventOptions.retryNum } : {}),
        }),
      });
    },
    slackAction(actionId, ts, channel = TEAM_CHANNEL) {
      const raw = payloadBody({
        type: 'block_actions',
        user: { id: STAFF, username: 'claire.martin', name: 'claire.martin', team_id: TEAM },
        api_app_id: 'A0CLICCV',
        token: 'gIkuvaNzQIHg97ATvDxqgjtO',
        container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
        trigger_id: `13345224609.738474920.h${++eventCounter}`,
        team: { id: TEAM, domain: 'mairie-de-dole' },
        channel: { id: channel, name: 'commerce' },
        message: { type: 'message', ts, text: 'Demande', user: 'U0BOT', bot_id: 'B0BOT' },
        state: { values: {} },
        response_url: `${SLACK_HOST}/actions/${TEAM}/1/h${eventCounter}`,
        actions: [
          {
            action_id: actionId,
            block_id: 'hb',
            text: { type: 'plain_text', text: 'Je prends', emoji: true },
            value: actionId.endsWith('take') ? 'take' : 'close',
            type: 'button',
            action_ts: '1780000001.000200',
          },
        ],
      });
      return app.app.inject({
        method: 'POST',
        url: '/slack/events',
        payload: raw,
        headers: slackHeaders(raw),
      });
    },
    calls(method) {
      return slack.filter((c) => c.method === method);
    },
    async close() {
      await app.close();
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  return result;
}

/**
 * The next `weekday` (0 = Sunday … 6 = Saturday) at `hourUtc`, a week or more from now: the
 * stores expire data on the real clock, so a fake clock must not lag behind it.
 */
export function comingWeekday(weekday: number, hourUtc: number): Date {
  const at = new Date();
  at.setUTCDate(at.getUTCDate() + 7 + ((weekday - at.getUTCDay() + 7) % 7));
  at.setUTCHours(hourUtc, 0, 0, 0);
  return at;
}

/** What a person reads in a Telegram HTML message. */
export function visible(html: unknown): string {
  return String(html)
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** The buttons of a Telegram message's inline keyboard. */
export function keyboard(m: Record<string, unknown> | undefined) {
  return (
    (m?.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })
      ?.inline_keyboard ?? []
  ).flat();
}

/** A staff member's reply in a request's thread, as the Events API sends it. */
export function threadReply(
  threadTs: string,
  ts: string,
  text: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'message',
    channel: TEAM_CHANNEL,
    user: STAFF,
    text,
    ts,
    thread_ts: threadTs,
    event_ts: ts,
    channel_type: 'channel',
    ...extra,
  };
}
