/**
 * « Mon plan d'action » on every channel (issue 19): a URL button on Telegram, a link the widget
 * opens in a new tab, on Slack a URL button and « Partager dans le canal » (a compact summary
 * posted for the whole channel, within Block Kit limits), and the URL printed in the terminal.
 * Only Slack's HTTP API is intercepted (nock); everything else runs for real.
 */
import { describe, expect, it } from 'vitest';
import { createConsoleSession } from '../../adapters/console/session.js';
import { renderReplies as renderSlack } from '../../adapters/slack/render.js';
import { PLAN_OPEN_ACTION, PLAN_SHARE_ACTION } from '../../adapters/slack/share.js';
import { renderReplies as renderTelegram } from '../../adapters/telegram/render.js';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { planLinkReply, withPlanLink, withPlanLinks } from '../../src/plan/links.js';
import { createPlanService } from '../../src/plan/service.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { assertBlockKitMessage } from '../slack/block-kit-limits.js';
import {
  blockActionPayload,
  closeSlackAppsAfterEach,
  createSlackTestApp,
  lastHook,
  TEAM,
  USER,
} from '../slack/helpers.js';
import { textUpdate } from '../telegram/fixtures/updates.js';
import { createHarness } from '../telegram/helpers.js';
import { BAKER, PUBLIC_URL, planLinkOf, planServer, SECRET } from './helpers.js';

const URL_EXAMPLE = `${PUBLIC_URL}/plan/AbC-123_xyz`;

closeSlackAppsAfterEach();

describe('Telegram', () => {
  it('keeps the URL button on the link message when the next turn offers new choices', async () => {
    const tg = await createHarness({ plans: { publicUrl: PUBLIC_URL, secret: SECRET } });
    try {
      let id = 1;
      await tg.post(textUpdate(id++, '/start diagnostic-commercant'));
      for (const text of BAKER) await tg.post(textUpdate(id++, text));
      const linkMessage = tg
        .callsOf('sendMessage')
        .find((c) => JSON.stringify(c.body.reply_markup ?? {}).includes('"url"'));
      const keyboard = (linkMessage?.body.reply_markup as { inline_keyboard: unknown[][] })
        ?.inline_keyboard;
      expect(keyboard?.[0]).toEqual([
        {
          text: 'Mon plan d’action',
          url: expect.stringMatching(/^https:\/\/clic\.ville-exemple\.fr\/plan\//),
        },
      ]);
      // « non » to the consent question: the old choices go, the plan's button stays.
      await tg.post(textUpdate(id++, 'non'));
      const stripped = tg.callsOf('editMessageReplyMarkup').map((c) => c.body.message_id);
      expect(stripped.length).toBeGreaterThan(0);
      expect(stripped).not.toContain(linkMessage?.messageId);
    } finally {
      await tg.close();
    }
  });

  it('shows « Mon plan d’action » as a URL button, above the choices', () => {
    const [message] = renderTelegram([planLinkReply(URL_EXAMPLE)]);
    expect(message?.reply_markup?.inline_keyboard[0]).toEqual([
      { text: 'Mon plan d’action', url: URL_EXAMPLE },
    ]);
    expect(message?.text).toContain(`<a href="${URL_EXAMPLE}">Mon plan d’action</a>`);
  });
});

describe('the widget', () => {
  it('gets the link in the reply, as an http link the widget opens in a new tab', async () => {
    const s = await planServer();
    try {
      const created = await s.server.app.inject({
        method: 'POST',
        url: '/api/web/conversations',
        payload: { start: 'diagnostic-commercant' },
      });
      expect(created.statusCode).toBe(201);
      const { conversationId } = created.json() as { conversationId: string };
      let body = '';
      for (const text of BAKER) {
        const res = await s.server.app.inject({
          method: 'POST',
          url: `/api/web/conversations/${conversationId}/messages`,
          payload: { text },
        });
        expect(res.statusCode).toBe(200);
        body = res.body;
      }
      const href = /"href":"(https:\/\/clic\.ville-exemple\.fr\/plan\/[A-Za-z0-9_-]+)"/.exec(body);
      expect(href?.[1]).toBeDefined();
      // The page it names is this conversation's plan.
      const page = await s.server.app.inject({
        method: 'GET',
        url: new URL(href?.[1] ?? '').pathname,
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Niveau estimé : <strong>faible</strong>');
      // After a reload, the restored conversation holds the same link.
      const restored = await s.server.app.inject({
        method: 'GET',
        url: `/api/web/conversations/${conversationId}`,
      });
      expect(restored.body).toContain(href?.[1]);
    } finally {
      await s.server.close();
    }
  });
});

describe('Slack', () => {
  it('renders the link as a URL button and « Partager dans le canal », within Block Kit limits', () => {
    const messages = renderSlack([planLinkReply(URL_EXAMPLE)]);
    expect(messages).toHaveLength(1);
    for (const m of messages) assertBlockKitMessage(m);
    const actions = messages[0]?.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { url: URL_EXAMPLE, text: { text: 'Mon plan d’action' } },
        { value: URL_EXAMPLE, text: { text: 'Partager dans le canal' } },
      ],
    });
  });

  it('« Partager dans le canal » posts the summary and the link for the whole channel', async () => {
    const slack = await createSlackTestApp({ plans: { publicUrl: PUBLIC_URL, secret: SECRET } });
    const key = `slack:${TEAM}:${USER}`;
    const ctx = { channel: 'slack' as const, userRef: `${TEAM}:${USER}`, now: new Date() };
    await slack.runtime.turn(key, { type: 'start', entry: 'diagnostic-commercant' }, ctx);
    let url: string | undefined;
    for (const text of BAKER) {
      const turn = await slack.runtime.turn(key, { type: 'text', text }, ctx);
      url ??= planLinkOf(turn.replies);
    }
    expect(url).toBeDefined();
    const res = await slack.interact(blockActionPayload(`${PLAN_SHARE_ACTION}3`, url as string));
    expect(res.statusCode).toBe(200);
    const shared = await lastHook(slack, 1);
    expect(shared.response_type).toBe('in_channel');
    const json = JSON.stringify(shared.blocks);
    expect(json).toContain('Plan d’action numérique d’un commerce — Sens');
    expect(json).toContain(
      'Niveau numérique estimé : faible (notre lecture des prérequis du guide).',
    );
    expect(json).toContain(
      'Première étape : Référencement et communication sur les médias sociaux.',
    );
    expect(json).toContain(url);
    expect(json).toContain('Partagé depuis Clic Centre-Ville');
  });

  it('shares nothing for a link that is not one of ours, or no longer valid', async () => {
    const slack = await createSlackTestApp({ plans: { publicUrl: PUBLIC_URL, secret: SECRET } });
    await slack.interact(
      blockActionPayload(`${PLAN_SHARE_ACTION}0`, 'https://evil.example/plan/x'),
    );
    const answer = await lastHook(slack, 1);
    expect(answer.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer)).toContain('n’est plus disponible');
    // The URL button's click is acknowledged and does nothing else.
    const open = await slack.interact(blockActionPayload(`${PLAN_OPEN_ACTION}0`, ''));
    expect(open.statusCode).toBe(200);
    await slack.channel.drain();
    expect(slack.hooks).toHaveLength(1);
    expect(slack.api).toEqual([]);
  });
});

describe('the terminal', () => {
  it('prints the URL after the result', async () => {
    const store = createMemoryStore();
    const plans = createPlanService({ store, secret: SECRET, publicUrl: PUBLIC_URL });
    const runtime = withPlanLinks(
      createRuntime({
        engine: withPlanLink(createDialogueEngine()),
        store,
        logger: createLogger({ level: 'silent' }),
      }),
      plans,
    );
    const session = createConsoleSession({ runtime, start: 'diagnostic-commercant' });
    const transcript = await session.script(BAKER);
    expect(transcript).toMatch(
      /Mon plan d’action \(https:\/\/clic\.ville-exemple\.fr\/plan\/[A-Za-z0-9_-]+\)/,
    );
  });
});
