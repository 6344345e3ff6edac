/**
 * The widget's HTTP API (SPEC §6) through `app.inject`, with the fake engine of
 * test/server/helpers.ts: what a visitor's browser gets back for good and bad requests.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposedApp } from '../../src/app/compose.js';
import { createTestApp, type FakeSnapshot } from '../server/helpers.js';

type Json = Record<string, unknown>;
type Msg = { text: string; buttons?: { label: string; action: string }[]; cards?: Json[] };

let current: ComposedApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function app(env: Record<string, string> = {}) {
  const composed = await createTestApp({ env });
  current = composed;
  return composed;
}

async function create(a: ComposedApp, body: Json = {}, remoteAddress = '127.0.0.1') {
  const res = await a.app.inject({
    method: 'POST',
    url: '/api/web/conversations',
    payload: body,
    remoteAddress,
  });
  return { res, json: res.json() as { conversationId: string; messages: Msg[] } };
}

async function send(a: ComposedApp, id: string, body: Json, remoteAddress = '127.0.0.1') {
  return a.app.inject({
    method: 'POST',
    url: `/api/web/conversations/${id}/messages`,
    payload: body,
    remoteAddress,
  });
}

async function snapshotOf(
  a: ComposedApp & { store: import('../../src/storage/types.js').Store },
  id: string,
) {
  const stored = await a.store.conversations.get(`web:${id}`);
  return (stored?.data as { snapshot: FakeSnapshot } | undefined)?.snapshot;
}

describe('creating a conversation (POST /api/web/conversations)', () => {
  it('answers 201 with an unguessable id and the welcome message with its buttons', async () => {
    const a = await app();
    const { res, json } = await create(a);
    expect(res.statusCode).toBe(201);
    expect(json.conversationId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(json.messages[0]?.text).toContain('Vous êtes');
    expect(json.messages[0]?.buttons).toEqual([
      { label: 'Commerçant·e', action: 'aud:commercant' },
      { label: 'Collectivité', action: 'aud:collectivite' },
    ]);
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await create(a)).json.conversationId);
    expect(ids.size).toBe(20);
  });

  it('enters the dialogue given by `start` (SPEC §5 entry points)', async () => {
    const a = await app();
    const { json } = await create(a, { start: 'objectif-5', town: 'Sens' });
    expect(json.messages[0]?.text).toContain('Vendre par de nouveaux canaux');
  });

  it('refuses an entry point that is not an id, and unknown fields', async () => {
    const a = await app();
    expect((await create(a, { start: '<script>' })).res.statusCode).toBe(400);
    expect((await create(a, { admin: true })).res.statusCode).toBe(400);
  });
});

describe('a whole objective dialogue over HTTP', () => {
  it('goes from the welcome to a fiche by pressing buttons, and the transcript tells the story', async () => {
    const a = await app();
    const { json } = await create(a);
    const id = json.conversationId;

    const r1 = await send(a, id, { action: 'aud:commercant' });
    expect(r1.statusCode).toBe(200);
    const menu = (r1.json() as { messages: Msg[] }).messages[0];
    expect(menu?.buttons?.map((b) => b.label)).toContain('Vendre par de nouveaux canaux');

    const r2 = await send(a, id, { action: 'obj:o5' });
    const objective = (r2.json() as { messages: Msg[] }).messages[0];
    expect(objective?.cards?.[0]).toMatchObject({
      title: 'Site de vente en ligne',
      buttons: [{ label: 'Voir la fiche', action: 'fiche:site-vente-en-ligne' }],
    });

    const r3 = await send(a, id, { action: 'fiche:site-vente-en-ligne' });
    expect((r3.json() as { messages: Msg[] }).messages[0]?.text).toContain('30 € par mois');

    const t = await a.app.inject({ method: 'GET', url: `/api/web/conversations/${id}` });
    expect(t.statusCode).toBe(200);
    expect(t.headers['cache-control']).toBe('no-store');
    const transcript = t.json() as {
      conversationId: string;
      messages: { from: string; text?: string; reply?: Msg }[];
    };
    expect(transcript.conversationId).toBe(id);
    // The visitor's clicks come back as the labels they read, never as raw action ids.
    expect(transcript.messages.filter((m) => m.from === 'user').map((m) => m.text)).toEqual([
      'Commerçant·e',
      'Vendre par de nouveaux canaux',
      'Voir la fiche',
    ]);
    expect(transcript.messages.filter((m) => m.from === 'bot')).toHaveLength(4);
    expect(await snapshotOf(a, id)).toEqual({ at: 'fiche', steps: 3 });
  });
});

describe('bad requests get a 4xx with a French message', () => {
  it('bad JSON → 400', async () => {
    const a = await app();
    const { json } = await create(a);
    const res = await a.app.inject({
      method: 'POST',
      url: `/api/web/conversations/${json.conversationId}/messages`,
      headers: { 'content-type': 'application/json' },
      payload: '{"text": "bonjour',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'bad_json', message: 'La requête est mal formée.' });
  });

  it('unknown conversation → 404 on every route', async () => {
    const a = await app();
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect((await send(a, unknown, { text: 'bonjour' })).statusCode).toBe(404);
    const get = await a.app.inject({ method: 'GET', url: `/api/web/conversations/${unknown}` });
    expect(get.statusCode).toBe(404);
    expect(get.json().message).toBe('Cette conversation n’existe pas ou a été effacée.');
    expect(
      (await a.app.inject({ method: 'DELETE', url: `/api/web/conversations/${unknown}` }))
        .statusCode,
    ).toBe(404);
    expect(
      (await a.app.inject({ method: 'GET', url: '/api/web/conversations/not-an-id' })).statusCode,
    ).toBe(404);
  });

  it('a body over 4 KiB → 413; a text over 1000 characters → 400 saying the limit', async () => {
    const a = await app();
    const { json } = await create(a);
    const id = json.conversationId;
    const big = await send(a, id, { text: 'a'.repeat(5000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toBe('Votre message est trop long pour être envoyé.');
    const long = await send(a, id, { text: 'a'.repeat(1001) });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({
      error: 'text_too_long',
      message: 'Votre message est trop long : 1000 caractères au plus. Vous pouvez le raccourcir ?',
    });
    expect((await send(a, id, { text: 'a'.repeat(1000) })).statusCode).toBe(200);
  });

  it('text and action together, or neither → 400', async () => {
    const a = await app();
    const { json } = await create(a);
    const both = await send(a, json.conversationId, { text: 'oui', action: 'ans:yes' });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toBe('Envoyez soit un texte, soit le choix d’un bouton.');
    expect((await send(a, json.conversationId, {})).statusCode).toBe(400);
  });

  it('random and malformed payloads on every endpoint → only 4xx, never 5xx', async () => {
    const a = await app();
    const { json } = await create(a);
    const id = json.conversationId;
    const bodies = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify({ text: v })),
      fc
        .record({ action: fc.string({ maxLength: 80 }), clientMessageId: fc.string() })
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    const targets = fc.constantFrom(
      { method: 'POST' as const, url: '/api/web/conversations' },
      { method: 'POST' as const, url: `/api/web/conversations/${id}/messages` },
      { method: 'POST' as const, url: '/api/web/conversations/%00%ff/messages' },
      { method: 'GET' as const, url: `/api/web/conversations/${id}?x=%E0%A4%A` },
      { method: 'DELETE' as const, url: '/api/web/conversations/..%2f..%2fetc' },
    );
    const contentTypes = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    );
    await fc.assert(
      fc.asyncProperty(targets, bodies, contentTypes, async (target, payload, type) => {
        const res = await a.app.inject({ ...target, payload, headers: { 'content-type': type } });
        expect(res.statusCode, `${target.method} ${target.url} ${type} ${payload}`).toBeLessThan(
          500,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('idempotency (SPEC §6: a repeated clientMessageId)', () => {
  it('returns the same replies and advances the dialogue once', async () => {
    const a = await app();
    const { json } = await create(a);
    const id = json.conversationId;
    const first = await send(a, id, { text: 'bonjour', clientMessageId: 'msg-1' });
    const again = await send(a, id, { text: 'bonjour', clientMessageId: 'msg-1' });
    expect(first.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect((first.json() as { messages: Msg[] }).messages[0]?.text).toBe('Message n° 1 bien reçu.');
    expect((await snapshotOf(a, id))?.steps).toBe(1);
    const next = await send(a, id, { text: 'bonjour', clientMessageId: 'msg-2' });
    expect((next.json() as { messages: Msg[] }).messages[0]?.text).toBe('Message n° 2 bien reçu.');
  });

  it('holds when the same message is retried concurrently', async () => {
    const a = await app();
    const { json } = await create(a);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        send(a, json.conversationId, { text: 'x', clientMessageId: 'same' }),
      ),
    );
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect((await snapshotOf(a, json.conversationId))?.steps).toBe(1);
  });
});

describe('rate limits (WEB_RATE_LIMIT_PER_MINUTE)', () => {
  it('answers 429 with Retry-After after the per-conversation limit; other visitors are unaffected', async () => {
    const a = await app({ WEB_RATE_LIMIT_PER_MINUTE: '5' });
    const visitor = await create(a, {}, '10.0.0.1');
    const other = await create(a, {}, '10.0.0.2');
    const id = visitor.json.conversationId;
    // The per-IP window already counted the creation: 4 more requests from 10.0.0.1 pass.
    for (let i = 0; i < 4; i++)
      expect((await send(a, id, { text: `m${i}` }, '10.0.0.1')).statusCode).toBe(200);
    const limited = await send(a, id, { text: 'encore' }, '10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json().message).toBe(
      'Vous envoyez beaucoup de messages : patientez un instant, puis réessayez.',
    );
    expect(
      (await send(a, other.json.conversationId, { text: 'bonjour' }, '10.0.0.2')).statusCode,
    ).toBe(200);
  });

  it('limits one conversation even when its requests come from many addresses', async () => {
    const a = await app({ WEB_RATE_LIMIT_PER_MINUTE: '3' });
    const { json } = await create(a, {}, '10.1.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await send(a, json.conversationId, { text: 'x' }, `10.2.0.${i}`)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('0 turns the limits off', async () => {
    const a = await app({ WEB_RATE_LIMIT_PER_MINUTE: '0' });
    const { json } = await create(a);
    for (let i = 0; i < 100; i++) {
      expect((await send(a, json.conversationId, { text: 'x' })).statusCode).toBe(200);
    }
  });
});

describe('erasing a conversation (DELETE)', () => {
  it('answers 204, then the conversation is gone (GET → 404, POST → 404)', async () => {
    const a = await app();
    const { json } = await create(a);
    const id = json.conversationId;
    await send(a, id, { text: 'bonjour', clientMessageId: 'm1' });
    const del = await a.app.inject({ method: 'DELETE', url: `/api/web/conversations/${id}` });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect(
      (await a.app.inject({ method: 'GET', url: `/api/web/conversations/${id}` })).statusCode,
    ).toBe(404);
    expect((await send(a, id, { text: 'bonjour' })).statusCode).toBe(404);
    expect(await a.store.conversations.get(`web:${id}`)).toBeUndefined();
    // Idempotency entries belonged to the visitor too (SPEC §7: everything erased).
    expect(await a.store.coordination.recall(`idem:web:${id}:m1`)).toBeUndefined();
  });

  it('calls the erasure hook so the observatory contribution goes too', async () => {
    const forgotten: string[] = [];
    const composed = await createTestApp({
      extra: { onForget: (owner) => void forgotten.push(`${owner.channel}:${owner.userRef}`) },
    });
    current = composed;
    const { json } = await create(composed);
    await composed.app.inject({
      method: 'DELETE',
      url: `/api/web/conversations/${json.conversationId}`,
    });
    expect(forgotten).toEqual([`web:${json.conversationId}`]);
  });
});

describe('CORS (WEB_ALLOWED_ORIGINS)', () => {
  it('lets listed origins and the server’s own origin in, and refuses others', async () => {
    const a = await app({ WEB_ALLOWED_ORIGINS: 'https://www.ville-sens.fr, https://sens.example' });
    const listed = await a.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      headers: { origin: 'https://www.ville-sens.fr', host: 'assistant.example' },
      payload: {},
    });
    expect(listed.statusCode).toBe(201);
    expect(listed.headers['access-control-allow-origin']).toBe('https://www.ville-sens.fr');

    const own = await a.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      headers: { origin: 'http://assistant.example', host: 'assistant.example' },
      payload: {},
    });
    expect(own.statusCode).toBe(201);

    const other = await a.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      headers: { origin: 'https://evil.example', host: 'assistant.example' },
      payload: {},
    });
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await a.app.inject({
      method: 'OPTIONS',
      url: '/api/web/conversations',
      headers: {
        origin: 'https://sens.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://sens.example');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
  });
});

describe('the widget bundle and the demo page', () => {
  it('serves /widget.js so other sites can load it, and the demo page under a strict CSP', async () => {
    const { buildWidget } = await import('../../scripts/build-widget.js');
    await buildWidget();
    const composed = await createTestApp({ env: { TOWN_NAME: 'Sens' } });
    current = composed;
    const js = await composed.app.inject({ method: 'GET', url: '/widget.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const page = await composed.app.inject({ method: 'GET', url: '/?start=diagnostic-commercant' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ville de Sens');
    expect(page.body).toContain(
      '<script src="/widget.js" data-town="Sens" data-start="diagnostic-commercant" async>',
    );
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // A hostile entry point in the query string never reaches the page.
    const hostile = await composed.app.inject({ method: 'GET', url: '/?start=%22%3E%3Cscript%3E' });
    expect(hostile.statusCode).toBe(200);
    expect(hostile.body).not.toContain('<script>');
  });
});

describe('the real dialogues over HTTP (src/dialogue)', () => {
  it('a merchant picks « Être trouvé·e et me faire connaître » and opens its first fiche', async () => {
    const { createDialogueEngine } = await import('../../src/dialogue/index.js');
    const composed = await createTestApp({ engine: createDialogueEngine() });
    current = composed;
    const { json } = await create(composed);
    const pick = (messages: Msg[], label: string) => {
      for (const m of messages) {
        const all = [
          ...(m.cards ?? []).flatMap((c) => (c.buttons as Msg['buttons']) ?? []),
          ...(m.buttons ?? []),
        ];
        const hit = all.find((b) => b.label === label);
        if (hit) return hit.action;
      }
      throw new Error(`no button « ${label} »`);
    };
    let messages = json.messages;
    for (const label of ['Commerçant·e', 'Être trouvé·e et me faire connaître', 'Voir la fiche']) {
      const res = await send(composed, json.conversationId, { action: pick(messages, label) });
      expect(res.statusCode).toBe(200);
      messages = (res.json() as { messages: Msg[] }).messages;
    }
    // Guide p. 19: the objective's simplest solution comes first, fiche 2.
    expect(messages.flatMap((m) => m.cards ?? []).map((c) => c.title)).toContain(
      'Référencement et communication sur les médias sociaux',
    );
  });
});

describe('conversation ids', () => {
  it('are 128 random bits in base64url, never repeated (drawn from a pool of random bytes)', async () => {
    const { newConversationId } = await import('../../adapters/web/plugin.js');
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(newConversationId());
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect([...ids].every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
  });
});
