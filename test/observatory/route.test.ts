/**
 * The whole server as `main` composes it, with the observatory (issue 9): `GET
 * /api/observatory/:town` exists only with OBSERVATORY_TOKEN (401 without or with a wrong bearer,
 * 200 JSON with the right one, 404 for an unknown town), and a widget conversation's consent
 * lands in the figures while its DELETE takes it out again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposedApp } from '../../src/app/compose.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { createObservatory } from '../../src/observatory/index.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createTestApp } from '../server/helpers.js';
import { catalog, cohort, SALT } from './helpers.js';

const TOKEN = 'a-very-long-observatory-token';
let app: ComposedApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(env: Record<string, string>) {
  const store = createMemoryStore();
  for (const r of cohort(23, 13, 'P3')) await store.records.put(r);
  const observatory = createObservatory({ catalog, records: store.records, salt: SALT });
  app = await createTestApp({
    env,
    store,
    engine: createDialogueEngine({ catalog, observatory }),
    extra: { observatory },
  });
  return { server: app.app, store };
}

const get = (server: ComposedApp['app'], town: string, authorization?: string) =>
  server.inject({
    method: 'GET',
    url: `/api/observatory/${encodeURIComponent(town)}`,
    ...(authorization ? { headers: { authorization } } : {}),
  });

describe('GET /api/observatory/:town through the composed server', () => {
  it('no OBSERVATORY_TOKEN configured: the route is absent (404), even with a bearer', async () => {
    const { server } = await serve({});
    const response = await get(server, 'Sens', `Bearer ${TOKEN}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('respondents');
  });

  it('missing or wrong bearer → 401; right → 200 JSON; unknown town → 404', async () => {
    const { server } = await serve({ OBSERVATORY_TOKEN: TOKEN });
    expect((await get(server, 'Sens')).statusCode).toBe(401);
    const wrong = await get(server, 'Sens', 'Bearer not-the-right-token-at-all');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('Bearer');
    const right = await get(server, 'Sens', `Bearer ${TOKEN}`);
    expect(right.statusCode).toBe(200);
    expect(right.headers['content-type']).toContain('application/json');
    expect(right.json()).toMatchObject({ status: 'figures', town: 'Sens', respondents: 23 });
    expect((await get(server, 'Auxerre', `Bearer ${TOKEN}`)).statusCode).toBe(404);
  });

  it('a widget merchant’s « oui » counts, and DELETE of the conversation takes it out', async () => {
    const { server, store } = await serve({ OBSERVATORY_TOKEN: TOKEN });
    const created = await server.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: { start: 'diagnostic-commercant', town: 'Sens' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().conversationId as string;
    for (const text of ['alimentaire', 'oui', 'oui', 'oui', 'oui', 'oui']) {
      const res = await server.inject({
        method: 'POST',
        url: `/api/web/conversations/${id}/messages`,
        payload: { text },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(await store.records.listByTown('Sens')).toHaveLength(24);
    const after = await get(server, 'Sens', `Bearer ${TOKEN}`);
    expect(after.json().respondents).toBe(24);
    const deleted = await server.inject({ method: 'DELETE', url: `/api/web/conversations/${id}` });
    expect(deleted.statusCode).toBe(204);
    expect(await store.records.listByTown('Sens')).toHaveLength(23);
  });
});
