/**
 * With NODE_ENV=production the server sends the handlers' output with a plain JSON.stringify
 * instead of checking it against the zod response schemas (src/server/build-server.ts,
 * `checkResponses`). These tests drive a real dialogue with checks off and prove every body
 * still matches its route schema exactly: valid, and with no key the schema would strip.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { webReplySchema, webTranscriptMessageSchema } from '../../adapters/web/render.js';
import type { ComposedApp } from '../../src/app/compose.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createTestApp } from '../server/helpers.js';

const created = z.object({ conversationId: z.string(), messages: z.array(webReplySchema) });
const answered = z.object({ messages: z.array(webReplySchema), forgotten: z.boolean().optional() });
const transcript = z.object({
  conversationId: z.string(),
  messages: z.array(webTranscriptMessageSchema),
});
const errorBody = z.object({ error: z.string(), message: z.string() });

type Button = { label: string; action: string };
type Msg = { buttons?: Button[]; cards?: { buttons?: Button[] }[] };

/** The action of the first button whose label contains `label`, cards included. */
function actionOf(messages: readonly Msg[], label: string): string | undefined {
  for (const m of messages) {
    const buttons = [...(m.buttons ?? []), ...(m.cards ?? []).flatMap((c) => c.buttons ?? [])];
    const hit = buttons.find((b) => b.label.includes(label));
    if (hit) return hit.action;
  }
  return undefined;
}

/** Parsing strips unknown keys: equal after parsing means valid and nothing extra. */
function expectExactly(schema: z.ZodType, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

let current: ComposedApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
  vi.unstubAllEnvs();
});

describe('responses sent without the zod check (NODE_ENV=production)', () => {
  it('match their route schemas along a real dialogue: welcome, merchant, objective, fiche, free text, transcript, 404', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const a = await createTestApp({ engine: createDialogueEngine() });
    current = a;
    const start = await a.app.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: {},
    });
    expect(start.statusCode).toBe(201);
    const first = start.json() as { conversationId: string; messages: Msg[] };
    expectExactly(created, first);
    const id = first.conversationId;

    let last = first.messages;
    const steps: (string | { text: string })[] = [
      'Commerçant·e',
      'Vendre par de nouveaux canaux',
      'Voir la fiche',
      'Détails',
      { text: 'les clients ne trouvent pas où se garer' },
      { text: 'menu' },
    ];
    let buttonsSeen = 0;
    for (const step of steps) {
      const action = typeof step === 'string' ? actionOf(last, step) : undefined;
      if (typeof step === 'string') expect(action, step).toBeDefined();
      const res = await a.app.inject({
        method: 'POST',
        url: `/api/web/conversations/${id}/messages`,
        payload: typeof step === 'string' ? { action } : step,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { messages: Msg[] };
      expectExactly(answered, body);
      last = body.messages;
      buttonsSeen += last.filter((m) => (m.buttons?.length ?? 0) > 0).length;
    }
    expect(buttonsSeen).toBeGreaterThan(0);

    const restored = await a.app.inject({ method: 'GET', url: `/api/web/conversations/${id}` });
    expect(restored.statusCode).toBe(200);
    const history = restored.json() as { messages: unknown[] };
    expect(history.messages.length).toBeGreaterThan(steps.length);
    expectExactly(transcript, history);

    const missing = await a.app.inject({
      method: 'POST',
      url: `/api/web/conversations/${'A'.repeat(22)}/messages`,
      payload: { text: 'bonjour' },
    });
    expect(missing.statusCode).toBe(404);
    expectExactly(errorBody, missing.json());
  });
});
