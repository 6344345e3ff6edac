/**
 * Redis stopped under load, then started again (issue 20): every channel fails fast and the same
 * way — web 503 with Retry-After and the French message within about a second, never a 201 for a
 * conversation that was not stored, never a 500; the Telegram webhook answers non-2xx so that
 * Telegram delivers the update again; rate limits fail open (a warning and a metric); /readyz
 * says 503 — and everything works again once Redis is back, without a restart.
 *
 * This file runs its OWN redis-server (a free loopback port, a temp dir, AOF on so that what was
 * stored survives the restart): stopping it disturbs no other test file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackChannel, type SlackChannel } from '../../adapters/slack/channel.js';
import { STORE_DOWN_TEXT } from '../../adapters/slack/outbox.js';
import { createTelegramChannel } from '../../adapters/telegram/channel.js';
import { UNAVAILABLE_MESSAGE } from '../../adapters/web/plugin.js';
import type { ComposedApp } from '../../src/app/compose.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { createRedisStore, type RedisStore } from '../../src/storage/redis.js';
import { freePort } from '../free-port.js';
import {
  commandBody,
  API_URL as SLACK_API_URL,
  HOST as SLACK_HOST,
  SECRET as SLACK_SECRET,
  TOKEN as SLACK_TOKEN,
  slackHeaders,
} from '../slack/helpers.js';
import { BOT_INFO, CHAT_ID, commandUpdate } from '../telegram/fixtures/updates.js';
import { API_ROOT, SECRET, TOKEN } from '../telegram/helpers.js';
import { createTestApp } from './helpers.js';

/** Polls `check` every 50 ms until it holds, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

let dir: string;
let port: number;
let redis: ChildProcess | undefined;
let store: RedisStore;
let web: ComposedApp;
let telegram: FastifyInstance;
let slack: FastifyInstance;
let slackChannel: SlackChannel;
let sent = 0;
const slackPosts: string[] = [];
const logLines: string[] = [];
const stored: string[] = [];

function startRedis(): void {
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdio: 'ignore' },
  );
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ccv-outage-'));
  port = await freePort();
  startRedis();
  store = createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'clic:outage:' });
  expect(await until(() => store.ready(), 5000)).toBe(true);
  // The web channel with the Redis rate limiters, as `main` builds it.
  web = await createTestApp({
    store,
    env: { WEB_RATE_LIMIT_PER_MINUTE: '1000' },
    logLines,
    extra: {
      webLimiters: {
        perIp: store.rateLimiter({ name: 'web-ip', limit: 1000 }),
        perConversation: store.rateLimiter({ name: 'web-conversation', limit: 1000 }),
      },
    },
  });
  // The Telegram webhook on the same store.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
  nock(API_ROOT)
    .persist()
    .post(/\/sendMessage$/)
    .reply(() => {
      sent++;
      const body = JSON.stringify({
        ok: true,
        result: { message_id: 9000 + sent, date: 0, chat: { id: CHAT_ID, type: 'private' } },
      });
      const length = String(Buffer.byteLength(body));
      return [200, body, { 'content-type': 'application/json', 'content-length': length }];
    });
  const logger = createLogger({ level: 'silent' });
  const runtime = createRuntime({ engine: createDialogueEngine(), store, logger });
  const channel = createTelegramChannel({
    config: { botToken: TOKEN, webhookSecret: SECRET, mode: 'webhook', apiRoot: API_ROOT },
    runtime,
    store,
    logger,
    botInfo: BOT_INFO,
    outboxSweepMs: 0,
  });
  telegram = await buildServer({
    logger,
    metrics: createMetrics(),
    readiness: store,
    channels: [channel],
  });
  // And Slack, answering through response_url.
  nock(SLACK_HOST)
    .persist()
    .post(/^\/commands\//)
    .reply((_uri, body) => {
      const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { text?: string };
      slackPosts.push(String(parsed.text ?? ''));
      return [200, 'ok'];
    });
  slackChannel = createSlackChannel({
    config: {
      slack: { signingSecret: SLACK_SECRET, botToken: SLACK_TOKEN, apiUrl: SLACK_API_URL },
      town: {},
    },
    runtime,
    store,
    logger,
    outboxSweepMs: 0,
  });
  slack = await buildServer({
    logger,
    metrics: createMetrics(),
    readiness: store,
    channels: [{ name: 'slack', plugin: slackChannel.plugin }],
  });
}, 20_000);

afterAll(async () => {
  await web?.close(); // closes the store too
  await telegram?.close();
  await slack?.close();
  await slackChannel?.drain();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});

const postUpdate = (updateId: number) =>
  telegram.inject({
    method: 'POST',
    url: '/telegram/webhook',
    headers: { 'x-telegram-bot-api-secret-token': SECRET },
    payload: commandUpdate(updateId, '/start'),
  });

/** A signed `/centreville fiche stationnement`; resolves once the work after the ack is done. */
async function slackCommand(): Promise<{ status: number; ms: number }> {
  const raw = commandBody('fiche stationnement');
  const started = Date.now();
  const response = await slack.inject({
    method: 'POST',
    url: '/slack/events',
    payload: raw,
    headers: slackHeaders(raw),
  });
  const ms = Date.now() - started;
  await slackChannel.drain();
  return { status: response.statusCode, ms };
}

async function create(): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = Date.now();
  const response = await web.app.inject({
    method: 'POST',
    url: '/api/web/conversations',
    payload: {},
  });
  const body = response.json() as Record<string, unknown>;
  if (response.statusCode === 201) stored.push(String(body.conversationId));
  return { status: response.statusCode, ms: Date.now() - started, body };
}

describe('Redis stopped under load, then back', () => {
  it('works while Redis is up', async () => {
    expect((await create()).status).toBe(201);
    expect((await postUpdate(1)).statusCode).toBe(200);
    expect(sent).toBe(1);
  });

  it('fails fast and cleanly while it is down, the same way everywhere', async () => {
    const id = stored[0];
    await stopRedis();
    expect(await until(async () => !(await store.ready()), 5000)).toBe(true);

    // Load: creations and messages at once.
    const started = Date.now();
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => create()),
      ...Array.from({ length: 8 }, async () => {
        const t0 = Date.now();
        const response = await web.app.inject({
          method: 'POST',
          url: `/api/web/conversations/${id}/messages`,
          payload: { text: 'bonjour', clientMessageId: `m${t0}` },
        });
        return {
          status: response.statusCode,
          ms: Date.now() - t0,
          body: response.json() as Record<string, unknown>,
          retryAfter: response.headers['retry-after'],
        };
      }),
    ]);
    for (const r of results) {
      expect(r.status).toBe(503); // never a 201 unstored, never a 500
      expect(r.ms).toBeLessThan(1500);
      expect(r.body.message).toBe(UNAVAILABLE_MESSAGE);
    }
    expect(UNAVAILABLE_MESSAGE).toMatch(/le service reprend dans un instant/);
    expect(Date.now() - started).toBeLessThan(3000);
    const one = await web.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: {},
    });
    expect(one.statusCode).toBe(503);
    expect(Number(one.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Reading the transcript fails the same way.
    expect(
      (await web.app.inject({ method: 'GET', url: `/api/web/conversations/${id}` })).statusCode,
    ).toBe(503);
    expect((await web.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);

    // Telegram: a non-2xx, so that Telegram delivers the update again later; nothing sent.
    const t0 = Date.now();
    const update = await postUpdate(2);
    expect(update.statusCode).toBeGreaterThanOrEqual(500);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(sent).toBe(1);

    // Slack: the ack goes out at once, then a short apology (the command is not lost silently).
    const command = await slackCommand();
    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(3000);
    expect(slackPosts).toEqual([STORE_DOWN_TEXT]);
    expect(STORE_DOWN_TEXT).toMatch(/le service reprend dans un instant/);

    // The rate limits failed open: logged (once in a while) and counted.
    const metrics = await web.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/ccv_events_total\{event="rate_limit_fail_open"\} [1-9]/);
    expect(logLines.some((line) => line.includes('"code":"rate-limit-fail-open"'))).toBe(true);
  }, 20_000);

  it('recovers without a restart once Redis is back; nothing stored was lost', async () => {
    startRedis();
    expect(await until(() => store.ready(), 10_000)).toBe(true);
    expect((await web.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await create()).status).toBe(201);
    const message = await web.app.inject({
      method: 'POST',
      url: `/api/web/conversations/${stored[0]}/messages`,
      payload: { text: 'bonjour' },
    });
    expect(message.statusCode).toBe(200);
    // Every 201 ever answered named a conversation that is stored.
    for (const id of stored) expect(await store.conversations.get(`web:${id}`)).toBeDefined();
    // Slack answers the command again.
    expect((await slackCommand()).status).toBe(200);
    expect(slackPosts).toHaveLength(2);
    expect(slackPosts[1]).toMatch(/stationnement/i);
    // Telegram's redelivery of the update refused during the outage is answered now.
    expect((await postUpdate(2)).statusCode).toBe(200);
    expect(sent).toBe(2);
  }, 20_000);
});
