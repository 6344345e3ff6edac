/**
 * The widget's side of a handover through the HTTP API: ask, consent, the person's words into
 * the thread, the team's reply fetched by polling `GET …/:id/messages?after=<seq>` (staff markup
 * arrives as text), and the reply still there in the transcript when the widget reopens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SENT_TEXT } from '../../src/handover/service.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import { createHandoverHarness, type HandoverHarness, TEAM_CHANNEL } from './harness.js';

let h: HandoverHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface WebMessage {
  readonly text: string;
  readonly buttons?: { label: string; action: string }[];
}

describe('the widget and a handover', () => {
  it('asks, consents, writes to the thread, polls the team’s reply, and finds it again after a reload', async () => {
    const t = await createHandoverHarness();
    h = t;
    const api = t.app.app;
    const created = await api.inject({
      method: 'POST',
      url: '/api/web/conversations',
      payload: {},
    });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { conversationId: string }).conversationId;
    const post = async (body: Record<string, unknown>) =>
      (
        await api.inject({
          method: 'POST',
          url: `/api/web/conversations/${id}/messages`,
          payload: body,
        })
      ).json() as { messages: WebMessage[] };
    const poll = async (after: number) => {
      const response = await api.inject({
        method: 'GET',
        url: `/api/web/conversations/${id}/messages?after=${after}`,
      });
      expect(response.statusCode).toBe(200);
      return response.json() as {
        handover: string;
        seq: number;
        messages: { seq: number; message: WebMessage }[];
      };
    };

    expect(await poll(0)).toEqual({ handover: 'none', seq: 0, messages: [] });
    const consent = await post({ text: 'Je voudrais une vraie personne' });
    expect(consent.messages[0]?.buttons?.map((b) => b.action)).toEqual([
      HANDOVER_ACTIONS.consent,
      HANDOVER_ACTIONS.decline,
    ]);
    const sent = await post({ action: HANDOVER_ACTIONS.consent });
    expect(sent.messages[0]?.text).toBe(SENT_TEXT);
    const request = t.calls('chat.postMessage')[0]?.args ?? {};
    expect(JSON.stringify(request.blocks)).toContain('Site web · Dole');
    const stored = (await t.store.coordination.recall(`handover:web:${id}`)) as {
      slack: { ts: string };
    };
    const ts = stored.slack.ts;

    // The visitor's words go to the thread; the assistant says nothing.
    const quiet = await post({ text: 'Ma boutique est rue Pasteur', clientMessageId: 'm-1' });
    expect(quiet.messages).toEqual([]);
    await post({ text: 'Ma boutique est rue Pasteur', clientMessageId: 'm-1' }); // a retry
    const inThread = t.calls('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(inThread.map((c) => c.args.text)).toEqual([
      '👤 La personne : Ma boutique est rue Pasteur',
    ]);
    expect((await poll(0)).handover).toBe('open');

    // The team answers with markup: the widget gets it as text, by polling.
    await t.slackEvent({
      type: 'message',
      channel: TEAM_CHANNEL,
      user: 'U0CLAIRE',
      text: 'Je passe demain &lt;b&gt;à 10 h&lt;/b&gt;',
      ts: '1780000100.000001',
      thread_ts: ts,
      event_ts: '1780000100.000001',
    });
    let fetched = await poll(0);
    for (let i = 0; i < 50 && fetched.messages.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      fetched = await poll(0);
    }
    expect(fetched.messages).toHaveLength(1);
    const staff = fetched.messages[0]?.message;
    expect(staff?.text).toContain('Claire (équipe de la ville)');
    expect(staff?.text).toContain('Je passe demain <b>à 10 h</b>');
    expect(JSON.stringify(staff)).not.toContain('&lt;');
    expect((await poll(fetched.seq)).messages).toEqual([]);

    // Reopened later: the transcript holds the team's reply.
    const transcript = await api.inject({ method: 'GET', url: `/api/web/conversations/${id}` });
    const entries = (transcript.json() as { messages: { reply?: WebMessage }[] }).messages;
    expect(entries.some((e) => e.reply?.text.includes('Je passe demain <b>à 10 h</b>'))).toBe(true);
    // …and what the visitor wrote to the team, once.
    const mine = (transcript.json() as { messages: { from: string; text?: string }[] }).messages;
    expect(
      mine.filter((e) => e.from === 'user' && e.text === 'Ma boutique est rue Pasteur'),
    ).toHaveLength(1);

    // An unknown conversation has nothing to poll.
    const missing = await api.inject({
      method: 'GET',
      url: '/api/web/conversations/AAAAAAAAAAAAAAAAAAAAAA/messages?after=0',
    });
    expect(missing.statusCode).toBe(404);
  });
});
