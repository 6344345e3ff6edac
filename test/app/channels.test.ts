/**
 * The optional channels as `main` mounts them (`src/app/channels.ts`, one factory per channel):
 * off and logged once without their settings; with them, a real request on the platform's route
 * reaches the real dialogue and the answer goes back to the platform (intercepted with nock).
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { OPTIONAL_CHANNELS, slackFactory, telegramFactory } from '../../src/app/channels.js';
import type { ComposedApp } from '../../src/app/compose.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createTestApp } from '../server/helpers.js';
import {
  commandBody,
  HOST as SLACK_HOST,
  SECRET as SLACK_SECRET,
  slackHeaders,
} from '../slack/helpers.js';
import { BOT_INFO, textUpdate } from '../telegram/fixtures/updates.js';

const TELEGRAM_ROOT = 'http://telegram.test';
const TELEGRAM_TOKEN = '7012345678:AAH-test_token-for-nock';
const TELEGRAM_SECRET = 'webhook-secret_9f3b2c';

let current: ComposedApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
  nock.cleanAll();
  nock.enableNetConnect();
});

/** Answers nock gives with a Content-Length (grammY keeps connections alive). */
function json(value: unknown): [number, string, Record<string, string>] {
  const body = JSON.stringify(value);
  return [200, body, { 'content-type': 'application/json', 'content-length': String(body.length) }];
}

describe('the optional channels', () => {
  it('are Telegram then Slack, each off without its settings, said once in the log', async () => {
    expect(OPTIONAL_CHANNELS.map((f) => f.name)).toEqual(['telegram', 'slack']);
    const logLines: string[] = [];
    current = await createTestApp({ logLines, extra: { channelFactories: OPTIONAL_CHANNELS } });
    expect(current.channels).toEqual(['web']);
    const off = logLines.map((l) => JSON.parse(l) as { msg?: string; reason?: string });
    expect(off.filter((l) => l.msg === 'telegram: off')).toEqual([
      expect.objectContaining({ reason: 'TELEGRAM_BOT_TOKEN is empty' }),
    ]);
    expect(off.filter((l) => l.msg === 'slack: off')).toEqual([
      expect.objectContaining({ reason: 'SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN is empty' }),
    ]);
  });

  it('Slack: a signed /centreville reaches the dialogue and the menu goes to the response_url', async () => {
    nock.disableNetConnect();
    const posted: Record<string, unknown>[] = [];
    nock(SLACK_HOST)
      .post(/^\/commands\//)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return 'ok';
      });
    current = await createTestApp({
      engine: createDialogueEngine(),
      env: {
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-1-2',
        SLACK_API_URL: `${SLACK_HOST}/api/`,
      },
      extra: { channelFactories: [slackFactory] },
    });
    expect(current.channels).toEqual(['web', 'slack']);
    const raw = commandBody('');
    const response = await current.app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: raw,
      headers: slackHeaders(raw),
    });
    expect(response.statusCode).toBe(200);
    // `close` waits for the work after the ack (the factory's `stop` drains the channel).
    await current.close();
    expect(JSON.stringify(posted)).toContain('Chercher une fiche');
  });

  it('Telegram: an update on the webhook reaches the dialogue and the answer is sent to the chat', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
    const sent: Record<string, unknown>[] = [];
    nock(TELEGRAM_ROOT)
      .persist()
      .post(/^\/bot[^/]+\/\w+$/)
      .reply((uri, body) => {
        const method = uri.split('/').pop();
        if (method === 'getMe') return json({ ok: true, result: BOT_INFO });
        if (method === 'sendMessage') sent.push(body as Record<string, unknown>);
        return json({
          ok: true,
          result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: 'ok' },
        });
      });
    current = await createTestApp({
      engine: createDialogueEngine(),
      env: {
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        TELEGRAM_API_ROOT: TELEGRAM_ROOT,
      },
      extra: { channelFactories: [telegramFactory] },
    });
    expect(current.channels).toEqual(['web', 'telegram']);
    const response = await current.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      payload: textUpdate(1001, 'Bonjour'),
      headers: { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
    });
    expect(response.statusCode).toBe(200);
    await current.close();
    expect(sent.map((m) => String(m.text)).join('\n')).toContain('Clic Centre-Ville');
  });
});
