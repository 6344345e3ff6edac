/**
 * The channel's lifecycle: setMyCommands with French descriptions at start (SPEC §6), long
 * polling with TELEGRAM_MODE=polling (no webhook route then), the constant-time secret check,
 * and the `npm run telegram:webhook` script (setWebhook from PUBLIC_URL with the secret).
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALLOWED_UPDATES,
  BOT_COMMANDS,
  createTelegramChannel,
  secretMatches,
  type TelegramChannelConfig,
} from '../../adapters/telegram/channel.js';
import { configureWebhook, webhookSettings } from '../../scripts/telegram-webhook.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { buildServer, type ChannelPlugin } from '../../src/server/build-server.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { BOT_INFO, commandUpdate } from './fixtures/updates.js';
import { API_ROOT, type ApiCall, SECRET, TOKEN, visibleText } from './helpers.js';

const silent = createLogger({ level: 'silent' });

/** Intercepts the Bot API; `answer` gives each method's result. */
function interceptApi(answer: (method: string, body: Record<string, unknown>) => unknown) {
  nock.disableNetConnect();
  const calls: ApiCall[] = [];
  nock(API_ROOT)
    .persist()
    .post(/^\/bot[^/]+\/\w+$/)
    .reply((uri, requestBody) => {
      const method = uri.split('/').pop() ?? '';
      const body = (
        typeof requestBody === 'string' ? JSON.parse(requestBody || '{}') : requestBody
      ) as Record<string, unknown>;
      calls.push({ method, body });
      const json = JSON.stringify({ ok: true, result: answer(method, body) });
      // grammY keeps connections alive; nock needs an explicit length to end the response.
      return [
        200,
        json,
        { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) },
      ];
    });
  return calls;
}

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The channel over the real runtime and dialogue engine and a fresh memory store. */
function createTestChannel(config: TelegramChannelConfig) {
  const store = createMemoryStore();
  const runtime = createRuntime({ engine: createDialogueEngine(), store, logger: silent });
  const channel = createTelegramChannel({
    config,
    runtime,
    store,
    logger: silent,
    botInfo: BOT_INFO,
  });
  return { store, channel };
}

/** The configuration of a channel answering Telegram's webhook (the production mode). */
const WEBHOOK_CONFIG: TelegramChannelConfig = {
  botToken: TOKEN,
  webhookSecret: SECRET,
  mode: 'webhook',
  apiRoot: API_ROOT,
};

describe('start()', () => {
  it('registers /start /menu /diagnostic /fiche /contact /aide /oubli with French descriptions', async () => {
    const calls = interceptApi(() => true);
    const { store, channel } = createTestChannel(WEBHOOK_CONFIG);
    await channel.start();
    await channel.stop();
    const set = calls.filter((c) => c.method === 'setMyCommands');
    expect(set).toHaveLength(1);
    const commands = set[0]?.body.commands as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual([
      'start',
      'menu',
      'diagnostic',
      'fiche',
      'contact',
      'aide',
      'oubli',
      'humain',
    ]);
    for (const c of commands) {
      // PLATFORMS.md: name 1–32 of a-z 0-9 _, description 1–256.
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
    expect(commands.find((c) => c.command === 'oubli')?.description).toBe('Effacer mes données');
    expect(commands.find((c) => c.command === 'diagnostic')?.description).toMatch(/diagnostic/);
    expect(BOT_COMMANDS).toHaveLength(8);
    await store.close();
  });
});

describe('long polling (TELEGRAM_MODE=polling, for local use)', () => {
  it('fetches updates, answers them, and mounts no webhook route', async () => {
    let served = false;
    const calls = interceptApi((method, body) => {
      if (method === 'getUpdates') {
        if (!served) {
          served = true;
          return [commandUpdate(900, '/start')];
        }
        return [];
      }
      if (method === 'sendMessage') {
        return { message_id: 1, date: 1, chat: { id: body.chat_id, type: 'private' }, text: 'x' };
      }
      return true;
    });
    const { store, channel } = createTestChannel({
      botToken: TOKEN,
      mode: 'polling',
      apiRoot: API_ROOT,
    });
    const app = await buildServer({
      logger: silent,
      metrics: createMetrics(),
      readiness: store,
      channels: [channel],
    });
    const response = await app.inject({ method: 'POST', url: '/telegram/webhook', payload: {} });
    expect(response.statusCode).toBe(404);

    await channel.start();
    for (let i = 0; i < 100 && !calls.some((c) => c.method === 'sendMessage'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await channel.stop();
    await app.close();

    expect(calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
    const poll = calls.find((c) => c.method === 'getUpdates');
    expect(poll?.body.allowed_updates).toEqual([...ALLOWED_UPDATES]);
    const sent = calls.find((c) => c.method === 'sendMessage');
    expect(visibleText(String(sent?.body.text))).toMatch(/Vous êtes…/);
    await store.close();
  });
});

describe('the secret comparison', () => {
  it('accepts only the exact secret', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(`${SECRET}x`, SECRET)).toBe(false);
    expect(secretMatches(SECRET.slice(0, -1), SECRET)).toBe(false);
    expect(secretMatches(SECRET.toUpperCase(), SECRET)).toBe(false);
    expect(secretMatches(undefined, SECRET)).toBe(false);
    expect(secretMatches([SECRET, SECRET], SECRET)).toBe(false);
    // No configured secret never means « anything goes ».
    expect(secretMatches('', undefined)).toBe(false);
    expect(secretMatches('x', '')).toBe(false);
  });
});

describe('mounted by the composition root', () => {
  it('is a ChannelPlugin whose start and stop the server calls', async () => {
    const calls = interceptApi(() => true);
    const { store, channel } = createTestChannel(WEBHOOK_CONFIG);
    const plugin: ChannelPlugin = channel;
    expect(plugin.name).toBe('telegram');
    await plugin.start?.();
    await plugin.stop?.();
    expect(calls.map((c) => c.method)).toEqual(['setMyCommands']);
    await store.close();
  });
});

describe('npm run telegram:webhook', () => {
  const env = {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_URL: 'https://assistant.ville-exemple.fr/',
    TELEGRAM_API_ROOT: API_ROOT,
  };

  it.each([
    ['TELEGRAM_BOT_TOKEN', /TELEGRAM_BOT_TOKEN is missing.*BotFather/],
    ['TELEGRAM_WEBHOOK_SECRET', /TELEGRAM_WEBHOOK_SECRET/],
    ['PUBLIC_URL', /PUBLIC_URL is missing/],
  ])('says clearly when %s is missing', (name, message) => {
    expect(() => webhookSettings({ ...env, [name]: '' })).toThrow(message);
  });

  it('refuses a plain-http PUBLIC_URL (Telegram calls webhooks over HTTPS only)', () => {
    expect(() => webhookSettings({ ...env, PUBLIC_URL: 'http://localhost:3000' })).toThrow(/https/);
  });

  it('sets the webhook on PUBLIC_URL/telegram/webhook with the secret and our update types', async () => {
    const calls = interceptApi((method) =>
      method === 'getWebhookInfo'
        ? {
            url: 'https://assistant.ville-exemple.fr/telegram/webhook',
            has_custom_certificate: false,
            pending_update_count: 0,
            allowed_updates: ['message', 'callback_query'],
          }
        : true,
    );
    const lines = await configureWebhook(webhookSettings(env));
    const set = calls.find((c) => c.method === 'setWebhook');
    expect(set?.body).toMatchObject({
      url: 'https://assistant.ville-exemple.fr/telegram/webhook',
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
    expect(lines[0]).toBe('Webhook set: https://assistant.ville-exemple.fr/telegram/webhook');
  });
});
