/**
 * At-least-once delivery on Slack (issue 20): a command's turn is stored with its replies; when
 * neither `response_url` nor `chat.postMessage` takes them, they stay in the outbox; the « restarted »
 * process (a new runtime and channel on the same SQLite file) sends them when Slack retries the
 * request — once, without running the turn again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel, type SlackChannel } from '../../adapters/slack/channel.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { buildServer } from '../../src/server/build-server.js';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';
import { API_URL, commandBody, HOST, SECRET, slackHeaders, TEAM, TOKEN, USER } from './helpers.js';

const KEY = `slack:${TEAM}:${USER}`;

let dir: string;
let store: Store;
/** Whether Slack accepts what we send (response_url and chat.postMessage alike). */
let slackUp = true;
let delivered: Record<string, unknown>[] = [];
const running: { app: FastifyInstance; channel: SlackChannel }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ccv-slack-outbox-'));
  store = createSqliteStore({ dir });
  slackUp = true;
  delivered = [];
  nock.disableNetConnect();
  nock(HOST)
    .persist()
    .post(/^\/(commands|actions)\//)
    .reply((_uri, body) => {
      if (!slackUp) return [500, 'internal_error'];
      delivered.push(
        (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>,
      );
      return [200, 'ok'];
    });
  nock(HOST)
    .persist()
    .post(/^\/api\/chat\.postMessage$/)
    .reply(() =>
      slackUp
        ? [200, { ok: true, channel: 'D0USER', ts: '1700000000.000200' }]
        : [200, { ok: false, error: 'fatal_error' }],
    );
});
afterEach(async () => {
  for (const { app, channel } of running.splice(0)) {
    await app.close();
    await channel.drain();
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});

/** A process: runtime, Slack channel and server over the shared store (no periodic sweep). */
async function boot(): Promise<{ app: FastifyInstance; channel: SlackChannel }> {
  const logger = createLogger({ level: 'silent' });
  const runtime = createRuntime({ engine: createDialogueEngine(), store, logger });
  const channel = createSlackChannel({
    config: { slack: { signingSecret: SECRET, botToken: TOKEN, apiUrl: API_URL }, town: {} },
    runtime,
    store,
    logger,
    outboxSweepMs: 0,
  });
  const app = await buildServer({
    logger,
    metrics: createMetrics(),
    readiness: store,
    channels: [{ name: 'slack', plugin: channel.plugin }],
  });
  const process = { app, channel };
  running.push(process);
  return process;
}

async function revision(): Promise<number | undefined> {
  return (await store.conversations.get(KEY))?.revision;
}

describe('a Slack retry after the crash window', () => {
  it('gets the stored replies once; the turn is not run again', async () => {
    const raw = commandBody('fiche stationnement');
    slackUp = false;
    const first = await boot();
    const response = await first.app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: raw,
      headers: slackHeaders(raw),
    });
    expect(response.statusCode).toBe(200); // the ack went out within 3 s
    await first.channel.drain();
    expect(await revision()).toBe(1); // stored, but nothing delivered
    expect(delivered).toEqual([]);
    await first.app.close();
    running.splice(0);

    slackUp = true;
    const second = await boot();
    const retry = await second.app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: raw,
      headers: slackHeaders(raw, { retryNum: 1 }),
    });
    expect(retry.statusCode).toBe(200);
    await second.channel.drain();
    expect(delivered).toHaveLength(1);
    expect(String(delivered[0]?.text)).toMatch(/stationnement/i);
    expect(await revision()).toBe(1);

    // Slack retries once more: everything was delivered, nothing is sent again.
    await second.app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: raw,
      headers: slackHeaders(raw, { retryNum: 2 }),
    });
    await second.channel.drain();
    expect(delivered).toHaveLength(1);
    expect(await revision()).toBe(1);
  });
});
