/**
 * The server around the channels (SPEC §9): health, readiness, Prometheus metrics, security
 * headers, logs without message text or user ids, and channel plugins kept in their own scope.
 */
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ComposedApp } from '../../src/app/compose.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { buildServer } from '../../src/server/build-server.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createTestApp } from './helpers.js';

let current: ComposedApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('health and readiness', () => {
  it('/healthz answers ok; /readyz answers ready while the store answers', async () => {
    current = await createTestApp();
    const health = await current.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await current.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 when the store is not ready or throws', async () => {
    for (const ready of [async () => false, async () => Promise.reject(new Error('down'))]) {
      const app = await buildServer({
        logger: createLogger({ level: 'silent' }),
        metrics: createMetrics(),
        readiness: { ready },
        channels: [],
      });
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', reason: 'store not ready' });
      await app.close();
    }
  });

  it('/readyz stops answering ready once the store is closed', async () => {
    const store = createMemoryStore();
    current = await createTestApp({ store });
    await store.close();
    const res = await current.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
  });
});

describe('/metrics (Prometheus text)', () => {
  it('counts turns per channel, failed turns, and a latency histogram', async () => {
    const failing = {
      flowId: 'boom',
      version: 1,
      start: () => {
        throw new Error('engine down');
      },
      step: () => {
        throw new Error('engine down');
      },
    };
    current = await createTestApp({ engine: failing });
    const create = await current.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: {},
    });
    // Nothing was stored: never a 201 with an id the next message would not find (issue 20),
    // never a 500 — a 503 the widget explains kindly, with a retry.
    expect(create.statusCode).toBe(503);
    expect(create.json().message).toContain('Désolé');

    const res = await current.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    const body = res.body;
    expect(body).toContain('# TYPE ccv_turns_total counter');
    expect(body).toContain('ccv_turns_total{channel="web"} 1');
    expect(body).toContain('ccv_turn_errors_total{channel="web"} 1');
    expect(body).toContain('# TYPE ccv_turn_duration_seconds histogram');
    expect(body).toMatch(/ccv_turn_duration_seconds_bucket\{channel="web",le="\+Inf"\} 1/);
    expect(body).toMatch(/ccv_turn_duration_seconds_count\{channel="web"\} 1/);
    expect(body).toMatch(/process_resident_memory_bytes \d+/);
    // Every sample line is "name{labels} number" (the exposition format).
    for (const line of body.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [-+0-9.e]+$|^[a-z_]+(\{[^}]*\})? \+Inf$/);
    }
  });

  it('histogram buckets are cumulative', () => {
    const metrics = createMetrics();
    for (const ms of [0.5, 3, 3, 40, 4000])
      metrics.observeTurn({ channel: 'telegram', ms, ok: true });
    const text = metrics.render();
    const bucket = (le: string) =>
      Number(
        new RegExp(
          `ccv_turn_duration_seconds_bucket\\{channel="telegram",le="${le}"\\} (\\d+)`,
        ).exec(text)?.[1],
      );
    expect(bucket('0.001')).toBe(1);
    expect(bucket('0.005')).toBe(3);
    expect(bucket('0.05')).toBe(4);
    expect(bucket('2.5')).toBe(4);
    expect(bucket('\\+Inf')).toBe(5);
  });
});

describe('security headers', () => {
  it('every response carries nosniff, a referrer policy and a CSP that forbids framing', async () => {
    current = await createTestApp();
    const res = await current.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});

describe('logs (SPEC §7: no message text or user id)', () => {
  it('logs each request as JSON with the route pattern, never the text, the conversation id or the URL', async () => {
    const lines: string[] = [];
    current = await createTestApp({ logLines: lines });
    const create = await current.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: {},
    });
    const id = create.json().conversationId as string;
    const secretText = 'Je suis Amélie Dupont, 12 rue des Lilas';
    await current.app.inject({
      method: 'POST',
      url: `/api/web/conversations/${id}/messages`,
      payload: { text: secretText },
    });
    await current.app.inject({
      method: 'POST',
      url: `/api/web/conversations/${id}/messages`,
      headers: { 'content-type': 'application/json' },
      payload: `{"text": "${secretText}`,
    });
    await current.app.inject({ method: 'GET', url: `/api/web/conversations/${id}` });
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      parsed.some((l) => l.route === '/api/web/conversations/:id/messages' && l.status === 200),
    ).toBe(true);
    expect(
      parsed.some((l) => l.route === '/api/web/conversations/:id/messages' && l.status === 400),
    ).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain('Amélie');
    expect(all).not.toContain(id);
  });
});

describe('channel plugins', () => {
  it('keeps each channel’s error handler and parsers inside its own scope', async () => {
    const telegramLike: FastifyPluginAsync = async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
        done(null, { raw: body });
      });
      scope.setErrorHandler((_error, _request, reply) => {
        void reply.code(200).send({ swallowed: true });
      });
      scope.post('/telegram/webhook', async (request) => ({ got: request.body }));
      scope.get('/telegram/boom', async () => {
        throw new Error('boom');
      });
    };
    current = await createTestApp({
      extra: {
        channelFactories: [
          {
            name: 'telegram',
            offReason: 'TELEGRAM_BOT_TOKEN is empty',
            enabled: () => true,
            create: () => ({ name: 'telegram', plugin: telegramLike }),
          },
          {
            name: 'slack',
            offReason: 'SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN is empty',
            enabled: () => false,
            create: () => {
              throw new Error('must not be created');
            },
          },
        ],
      },
    });
    expect(current.channels).toEqual(['web', 'telegram']);
    const raw = await current.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      payload: { a: 1 },
    });
    expect(raw.json()).toEqual({ got: { raw: '{"a":1}' } });
    expect((await current.app.inject({ method: 'GET', url: '/telegram/boom' })).json()).toEqual({
      swallowed: true,
    });
    // The web API still parses JSON itself and answers its own errors.
    const web = await current.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      headers: { 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(web.statusCode).toBe(400);
    expect(web.json().error).toBe('bad_json');
  });

  it('answers unknown routes with a JSON 404', async () => {
    current = await createTestApp();
    const res = await current.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'Cette adresse n’existe pas.' });
  });
});

describe('graceful shutdown', () => {
  it('finishes a turn in flight before closing the store', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowStore = createMemoryStore();
    const originalPut = slowStore.conversations.put.bind(slowStore.conversations);
    slowStore.conversations.put = async (envelope, expected) => {
      const ok = await originalPut(envelope, expected);
      if (envelope.revision > 1) order.push('turn stored');
      return ok;
    };
    const originalClose = slowStore.close.bind(slowStore);
    slowStore.close = async () => {
      order.push('store closed');
      await originalClose();
    };
    const composed = await createTestApp({ store: slowStore });
    await composed.app.listen({ port: 0, host: '127.0.0.1' });
    const address = composed.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const created = await fetch(`http://127.0.0.1:${port}/api/web/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { conversationId } = (await created.json()) as { conversationId: string };
    // Hold the next turn inside the store's lock until after close() was called.
    const originalGet = slowStore.conversations.get.bind(slowStore.conversations);
    slowStore.conversations.get = async (key) => {
      await gate;
      return originalGet(key);
    };
    const inFlight = fetch(
      `http://127.0.0.1:${port}/api/web/conversations/${conversationId}/messages`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'bonjour' }),
      },
    ).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { messages: { text: string }[] },
    }));
    await new Promise((r) => setTimeout(r, 50));
    const closing = composed.close();
    await new Promise((r) => setTimeout(r, 50));
    release();
    await closing;
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.messages[0]?.text).toBe('Message n° 1 bien reçu.');
    expect(order).toEqual(['turn stored', 'store closed']);
  });
});

describe('response checks (`checkResponses`)', () => {
  const plugin: FastifyPluginAsync = async (scope) => {
    scope.get(
      '/contract',
      { schema: { response: { 200: z.object({ n: z.number() }) } } },
      async () => ({ n: 'not a number' }) as unknown as { n: number },
    );
  };

  it('on: a body that breaks its schema answers 500; off: it is sent as the handler built it', async () => {
    const make = (checkResponses: boolean) =>
      buildServer({
        logger: createLogger({ level: 'silent' }),
        metrics: createMetrics(),
        readiness: { ready: () => true },
        channels: [{ name: 'contract', plugin }],
        checkResponses,
      });
    const checked = await make(true);
    expect((await checked.inject({ method: 'GET', url: '/contract' })).statusCode).toBe(500);
    await checked.close();
    const plain = await make(false);
    const res = await plain.inject({ method: 'GET', url: '/contract' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ n: 'not a number' });
    await plain.close();
  });
});
