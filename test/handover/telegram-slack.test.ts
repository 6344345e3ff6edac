/**
 * Issue 18 end to end: a merchant on Telegram asks for a person, agrees to what is shared, the
 * town team gets the request in its Slack channel, takes it, answers in the thread; the merchant
 * answers back; « Clore » gives the conversation back to the assistant at the very same step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HANDOVER_SLACK_ACTIONS } from '../../adapters/slack/handover.js';
import { CLOSED_BY_STAFF_TEXT, CONSENT_YES, SENT_TEXT } from '../../src/handover/service.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import {
  CHAT_ID,
  callbackUpdate,
  commandUpdate,
  textUpdate,
} from '../telegram/fixtures/updates.js';
import {
  createHandoverHarness,
  type HandoverHarness,
  keyboard,
  TEAM_CHANNEL,
  threadReply,
  until,
  visible,
} from './harness.js';

let h: HandoverHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const texts = (t: HandoverHarness) => t.telegram.map((m) => visible(m.text));
const buttons = keyboard;

describe('Telegram → Slack → Telegram', () => {
  it('consent, request, « Je prends », replies both ways exactly once, « Clore », and the dialogue resumes at its step', async () => {
    const t = await createHandoverHarness();
    h = t;
    const key = `telegram:7012345678:${CHAT_ID}`;

    // The merchant starts the diagnostic: question 1, with its buttons.
    expect((await t.telegramUpdate(commandUpdate(1, '/diagnostic'))).statusCode).toBe(200);
    const question = t.telegram.at(-1);
    const firstChoice = buttons(question)[0];
    expect(firstChoice).toBeDefined();
    const before = (await t.store.conversations.get(key))?.data as { snapshot: unknown };

    // « /humain »: what will be shared, and that Slack cannot be erased by us.
    await t.telegramUpdate(commandUpdate(2, '/humain'));
    const consent = t.telegram.at(-1);
    expect(visible(consent?.text)).toMatch(/ne peut pas être effacé de Slack par nous/);
    expect(visible(consent?.text)).toMatch(/derniers messages/);
    expect(buttons(consent).map((b) => [b.text, b.callback_data])).toEqual([
      [CONSENT_YES, HANDOVER_ACTIONS.consent],
      ['Non merci', HANDOVER_ACTIONS.decline],
    ]);
    expect(t.calls('chat.postMessage')).toHaveLength(0);

    // « Oui »: one request in the team's channel, within Block Kit's limits.
    await t.telegramUpdate(callbackUpdate(3, HANDOVER_ACTIONS.consent));
    await t.telegramUpdate(callbackUpdate(3, HANDOVER_ACTIONS.consent)); // redelivered
    expect(t.calls('chat.postMessage')).toHaveLength(1);
    const request = t.calls('chat.postMessage')[0]?.args ?? {};
    expect(request.channel).toBe(TEAM_CHANNEL);
    const blocks = request.blocks as { type: string }[];
    expect(blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'context',
      'actions',
    ]);
    expect(JSON.stringify(blocks)).toContain('Telegram · Dole');
    expect(JSON.stringify(blocks)).toContain('Derniers échanges');
    expect(JSON.stringify(blocks)).toContain(HANDOVER_SLACK_ACTIONS.take);
    expect(t.violations).toEqual([]);
    expect(texts(t).at(-1)).toBe(SENT_TEXT);
    // Slack's `ts` of the request: its thread carries the exchange.
    const stored = (await t.store.coordination.recall(`handover:${key}`)) as {
      slack: { ts: string };
    };
    const requestTs = stored.slack.ts;
    expect(requestTs).toMatch(/^1780000000\./);

    // « Je prends »: the message says who, the merchant is told who answers.
    await t.slackAction(HANDOVER_SLACK_ACTIONS.take, requestTs);
    await until(() =>
      texts(t).some((x) => x.includes('Claire, de l’équipe de la ville, vous répond')),
    );
    await until(() => t.calls('chat.update').length === 1);
    expect(JSON.stringify(t.calls('chat.update')[0]?.args.blocks)).toContain('Prise par Claire');

    // A thread reply with markup: relayed once though Slack retries it; bots and edits ignored.
    const sentBefore = t.telegram.length;
    const reply = threadReply(
      requestTs,
      '1780000100.000001',
      'Bonjour ! &lt;b&gt;Je regarde&lt;/b&gt; votre dossier.',
    );
    await t.slackEvent(reply, { eventId: 'Ev0REPLY1' });
    await t.slackEvent(reply, { eventId: 'Ev0REPLY1', retryNum: 1 });
    await t.slackEvent({ ...reply, ts: '1780000100.000002', bot_id: 'B0BOT', user: undefined });
    await t.slackEvent({
      type: 'message',
      subtype: 'message_changed',
      channel: TEAM_CHANNEL,
      message: { ...reply, text: 'modifié' },
      previous_message: reply,
      ts: '1780000100.000003',
      event_ts: '1780000100.000003',
    });
    await t.slackEvent({ ...reply, ts: '1780000100.000004', channel: 'C0AUTRE' });
    await until(() => t.telegram.length > sentBefore);
    await new Promise((r) => setTimeout(r, 100));
    const relayed = t.telegram.slice(sentBefore);
    expect(relayed).toHaveLength(1);
    expect(String(relayed[0]?.text)).toContain('&lt;b&gt;Je regarde&lt;/b&gt;');
    expect(visible(relayed[0]?.text)).toContain('Claire (équipe de la ville)');
    expect(visible(relayed[0]?.text)).toContain('<b>Je regarde</b> votre dossier.');

    // The merchant answers: into the thread, inert, once though Telegram redelivers.
    const evil = 'Merci <!channel> <@U123> *gras* <https://evil|ici>';
    await t.telegramUpdate(textUpdate(4, evil));
    await t.telegramUpdate(textUpdate(4, evil));
    const inThread = t.calls('chat.postMessage').filter((c) => c.args.thread_ts === requestTs);
    expect(inThread).toHaveLength(1);
    const relay = inThread[0]?.args ?? {};
    expect(String(relay.text)).not.toMatch(/<!channel>|<@U123>|<https:/);
    expect(String(relay.text)).toContain('&lt;!channel&gt;');
    expect(relay.mrkdwn).toBe('false');
    const section = (relay.blocks as { text: { type: string; text: string } }[])[0]?.text;
    expect(section?.type).toBe('plain_text');
    expect(section?.text).toContain(evil);
    // The assistant stayed silent.
    expect(t.telegram.slice(sentBefore + 1)).toHaveLength(0);

    // « Clore »: both sides told; the first choice of question 1 still answers question 1.
    await t.slackAction(HANDOVER_SLACK_ACTIONS.close, requestTs);
    await until(() => texts(t).includes(CLOSED_BY_STAFF_TEXT));
    await until(() => t.calls('chat.update').length === 2);
    expect(JSON.stringify(t.calls('chat.update')[1]?.args.blocks)).toContain('Close par Claire');
    expect(JSON.stringify(t.calls('chat.update')[1]?.args.blocks)).not.toContain('handover:');
    const after = (await t.store.conversations.get(key))?.data as { snapshot: unknown };
    expect(after.snapshot).toEqual(before.snapshot);
    const beforeResume = t.calls('chat.postMessage').length;
    await t.telegramUpdate(callbackUpdate(5, firstChoice?.callback_data ?? ''));
    expect(t.calls('chat.postMessage')).toHaveLength(beforeResume);
    const resumed = visible(t.telegram.at(-1)?.text);
    // The same press in a conversation that never left the assistant answers the same.
    const other = CHAT_ID + 1;
    await t.telegramUpdate(commandUpdate(10, '/diagnostic', other));
    await t.telegramUpdate(callbackUpdate(11, firstChoice?.callback_data ?? '', 2001, other));
    expect(resumed).toBe(visible(t.telegram.at(-1)?.text));
    expect(resumed).not.toBe(visible(question?.text));

    // A late reply in the closed thread reaches nobody.
    const count = t.telegram.length;
    await t.slackEvent(threadReply(requestTs, '1780000200.000001', 'Encore là ?'));
    await new Promise((r) => setTimeout(r, 100));
    expect(t.telegram).toHaveLength(count);

    // What Prometheus scrapes.
    const scraped = await t.app.app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.statusCode).toBe(200);
    const metrics = scraped.body;
    expect(metrics).toContain('# TYPE ccv_handover_total counter');
    expect(metrics).toContain('ccv_handover_total{event="requested"} 1');
    expect(metrics).toContain('ccv_handover_total{event="taken"} 1');
    expect(metrics).toContain('ccv_handover_total{event="closed"} 1');
    expect(metrics).toContain('ccv_handover_total{event="timed_out"} 0');
    expect(metrics).toContain('# TYPE ccv_handover_first_answer_seconds histogram');
    expect(metrics).toContain('ccv_handover_first_answer_seconds_bucket{le="30"} 1');
    expect(metrics).toContain('ccv_handover_first_answer_seconds_bucket{le="+Inf"} 1');
    expect(metrics).toContain('ccv_handover_first_answer_seconds_count 1');
  });
});
