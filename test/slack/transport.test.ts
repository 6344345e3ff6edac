/**
 * The Slack transport (SPEC §6 Slack, PLATFORMS.md): signatures, ack within 3 s whatever the Web
 * API does, retries answered once, url_verification / ssl_check, raw-body parsing confined to
 * the Slack plugin.
 */
import { describe, expect, it } from 'vitest';
import { requestId } from '../../adapters/slack/receiver.js';
import { verifySlackSignature } from '../../adapters/slack/verify.js';
import {
  closeSlackAppsAfterEach,
  commandBody,
  createSlackTestApp,
  SECRET,
  type SlackTestApp,
  slackHeaders,
  until,
} from './helpers.js';

let t: SlackTestApp | undefined;
closeSlackAppsAfterEach();

describe('signature (PLATFORMS.md: v0 HMAC-SHA256 over v0:{ts}:{raw body})', () => {
  it('a request signed by Slack is handled: the menu reaches the response_url', async () => {
    t = await createSlackTestApp();
    const response = await t.command('');
    expect(response.statusCode).toBe(200);
    await until(() => t!.hooks.length === 1);
    expect(t.hooks[0]?.body.response_type).toBe('ephemeral');
  });

  it('a wrong signature → 401 and no Web API call, no response_url post', async () => {
    t = await createSlackTestApp();
    const raw = commandBody('diagnostic');
    const response = await t.post(raw, slackHeaders(raw, { secret: 'not-the-secret-123' }));
    expect(response.statusCode).toBe(401);
    await t.channel.drain();
    expect(t.api).toEqual([]);
    expect(t.hooks).toEqual([]);
  });

  it('a body changed after signing → 401', async () => {
    t = await createSlackTestApp();
    const raw = commandBody('diagnostic');
    const response = await t.post(raw.replace('diagnostic', 'aide'), slackHeaders(raw));
    expect(response.statusCode).toBe(401);
  });

  it('missing signature headers → 401 and nothing sent', async () => {
    t = await createSlackTestApp();
    const raw = commandBody('diagnostic');
    const response = await t.post(raw, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.statusCode).toBe(401);
    const onlyTimestamp = await t.post(raw, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(onlyTimestamp.statusCode).toBe(401);
    await t.channel.drain();
    expect(t.api).toEqual([]);
    expect(t.hooks).toEqual([]);
  });

  it('a correctly signed request 10 minutes old → 401 (replay refused), nothing sent', async () => {
    t = await createSlackTestApp();
    const raw = commandBody('diagnostic');
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const response = await t.post(raw, slackHeaders(raw, { timestamp: old }));
    expect(response.statusCode).toBe(401);
    await t.channel.drain();
    expect(t.api).toEqual([]);
    expect(t.hooks).toEqual([]);
  });

  it('the check itself: 5 minutes either way is the window, timing-safe on any length', () => {
    const nowMs = 1_700_000_000_000;
    const ts = String(nowMs / 1000);
    const base = { signingSecret: SECRET, rawBody: 'a=1', timestamp: ts, nowMs };
    const good = slackHeaders('a=1', { timestamp: ts })['x-slack-signature'];
    expect(verifySlackSignature({ ...base, signature: good })).toEqual({ ok: true });
    expect(verifySlackSignature({ ...base, signature: 'v0=abc' })).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
    expect(verifySlackSignature({ ...base, signature: good, nowMs: nowMs + 301_000 }).ok).toBe(
      false,
    );
    expect(verifySlackSignature({ ...base, signature: good, nowMs: nowMs - 301_000 }).ok).toBe(
      false,
    );
    expect(verifySlackSignature({ ...base, signature: good, nowMs: nowMs + 299_000 }).ok).toBe(
      true,
    );
    expect(verifySlackSignature({ ...base, timestamp: 'abc', signature: good }).ok).toBe(false);
    expect(verifySlackSignature({ ...base, signature: [good ?? '', good ?? ''] }).ok).toBe(false);
  });
});

describe('acknowledgement within 3 s (PLATFORMS.md: ack within 3000 ms)', () => {
  it('the slash command is acknowledged in under 3 s while the Web API takes 5 s', async () => {
    t = await createSlackTestApp({ delayMs: 5000 });
    const started = Date.now();
    const response = await t.command('diagnostic');
    const elapsed = Date.now() - started;
    expect(response.statusCode).toBe(200);
    expect(elapsed).toBeLessThan(3000);
    // The modal is still opened, after the ack, on the command's trigger_id.
    await t.channel.drain();
    expect(t.api.map((c) => c.method)).toEqual(['views.open']);
  });

  it('a button press is acknowledged in under 3 s while response_url takes 5 s', async () => {
    t = await createSlackTestApp({ delayMs: 5000 });
    const { blockActionPayload } = await import('./helpers.js');
    const started = Date.now();
    const response = await t.interact(blockActionPayload('cv-ui:0', 'menu'));
    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    await t.channel.drain();
    expect(t.hooks).toHaveLength(1);
  });
});

describe('retries (X-Slack-Retry-Num) and de-duplication', () => {
  it('the same request sent again as a retry gets one answer only', async () => {
    t = await createSlackTestApp();
    const raw = commandBody('bilan');
    const first = await t.command('', { raw });
    const retry = await t.command('', { raw, retryNum: 1 });
    expect(first.statusCode).toBe(200);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['x-slack-no-retry']).toBe('1');
    await t.channel.drain();
    expect(t.hooks).toHaveLength(1);
  });

  it('two commands typed one after the other are two requests (different trigger_id)', async () => {
    t = await createSlackTestApp();
    await t.command('bilan');
    await t.command('bilan');
    await t.channel.drain();
    expect(t.hooks).toHaveLength(2);
  });

  it('Events API retries are de-duplicated on event_id', () => {
    expect(requestId({ event_id: 'Ev123' }, '{"a":1}')).toBe('slack:event:Ev123');
    expect(requestId({ event_id: 'Ev123' }, '{"b":2}')).toBe('slack:event:Ev123');
    expect(requestId({}, 'a=1')).not.toBe(requestId({}, 'a=2'));
  });
});

describe('protocol checks and parser scope', () => {
  it('url_verification is answered with the challenge', async () => {
    t = await createSlackTestApp();
    const raw = JSON.stringify({ token: 'x', challenge: 'chal-123', type: 'url_verification' });
    const response = await t.post(raw, slackHeaders(raw, { json: true }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ challenge: 'chal-123' });
  });

  it('ssl_check is answered 200 without processing anything', async () => {
    t = await createSlackTestApp();
    const response = await t.post('ssl_check=1&token=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(200);
    await t.channel.drain();
    expect(t.hooks).toEqual([]);
  });

  it('a signed but unreadable payload → 400, never a 5xx', async () => {
    t = await createSlackTestApp();
    const raw = 'payload=%7Bnot-json';
    const response = await t.post(raw, slackHeaders(raw));
    expect(response.statusCode).toBe(400);
  });

  it('a signed event nobody listens to is answered 200 at once (no retry storm)', async () => {
    t = await createSlackTestApp();
    const raw = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0TOWNHALL',
      api_app_id: 'A0CLICCV',
      event_id: 'Ev0001',
      event_time: 1700000000,
      event: { type: 'app_home_opened', user: 'U0MANAGER', channel: 'D0', tab: 'home' },
      authorizations: [{ team_id: 'T0TOWNHALL', user_id: 'U0BOT', is_bot: true }],
    });
    const response = await t.post(raw, slackHeaders(raw, { json: true }));
    expect(response.statusCode).toBe(200);
  });

  it('the raw-body parsers stay inside the Slack plugin: other JSON routes still get objects', async () => {
    const { default: Fastify } = await import('fastify');
    const { createSlackChannel } = await import('../../adapters/slack/channel.js');
    const { createMemoryStore } = await import('../../src/storage/memory.js');
    const { createLogger } = await import('../../src/logger.js');
    const store = createMemoryStore();
    const logger = createLogger({ level: 'silent' });
    const channel = createSlackChannel({
      config: { slack: { signingSecret: SECRET, botToken: 'xoxb-1-2' }, town: {} },
      runtime: {
        turn: async () => ({ replies: [], outcome: 'ok' as const }),
        transcript: async () => undefined,
        forget: async () => 0,
        close: async () => undefined,
      },
      store,
      logger,
    });
    const app = Fastify();
    await app.register(channel.plugin);
    app.post('/other', async (request) => ({ type: typeof request.body, body: request.body }));
    const response = await app.inject({ method: 'POST', url: '/other', payload: { a: 1 } });
    expect(response.json()).toEqual({ type: 'object', body: { a: 1 } });
    await app.close();
    await store.close();
  });
});
