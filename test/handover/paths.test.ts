/**
 * The other paths of a handover, with a fake clock: nobody takes it in time, the team is away
 * (HANDOVER_HOURS), the person declines, the person forgets their data while it is open, and
 * Slack is away when the person writes (kept, then delivered once, in order).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HANDOVER_OFFER_LABEL, MISSED_OFFER_TEXT } from '../../src/handover/offer.js';
import {
  CLOSED_BY_PERSON_TEXT,
  CONSENT_SLACK_WARNING,
  DECLINED_TEXT,
  KEPT_TEXT,
  SENT_TEXT,
} from '../../src/handover/service.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import { CHAT_ID, callbackUpdate, textUpdate } from '../telegram/fixtures/updates.js';
import {
  comingWeekday,
  createHandoverHarness,
  type HandoverHarness,
  keyboard,
  until,
  visible,
} from './harness.js';

let h: HandoverHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const KEY = `telegram:7012345678:${CHAT_ID}`;
const lastText = (t: HandoverHarness) => visible(t.telegram.at(-1)?.text);

async function openRequest(t: HandoverHarness, first = 1): Promise<string> {
  await t.telegramUpdate(textUpdate(first, 'Bonjour'));
  await t.telegramUpdate(textUpdate(first + 1, 'je voudrais parler à quelqu’un'));
  await t.telegramUpdate(callbackUpdate(first + 2, HANDOVER_ACTIONS.consent));
  const stored = (await t.store.coordination.recall(`handover:${KEY}`)) as {
    slack?: { ts: string };
  };
  if (!stored.slack) throw new Error('no request posted');
  return stored.slack.ts;
}

describe('nobody answers', () => {
  it('after HANDOVER_WAIT_MINUTES the person is told once, with the regional contact; a later reply still arrives', async () => {
    const t = await createHandoverHarness({
      env: { HANDOVER_WAIT_MINUTES: '15' },
      start: comingWeekday(3, 10),
    });
    h = t;
    const ts = await openRequest(t);
    expect(lastText(t)).toBe(SENT_TEXT);
    const handover = t.app.handover;
    if (!handover) throw new Error('handover is off');

    t.advance(14 * 60_000);
    expect((await handover.sweep()).told).toBe(0);
    t.advance(2 * 60_000);
    expect((await handover.sweep()).told).toBe(1);
    expect(lastText(t)).toMatch(/Personne de l’équipe n’a encore pu prendre votre demande/);
    expect(lastText(t)).toMatch(/reste ouverte/);
    expect(lastText(t)).toMatch(/Banque des Territoires \(Bourgogne.Franche-Comté\) : .+@/);
    t.advance(60 * 60_000);
    expect((await handover.sweep()).told).toBe(0);

    // The request stays open in Slack: a reply an hour later still reaches the person.
    await t.slackEvent({
      type: 'message',
      channel: 'C0COMMERCE',
      user: 'U0CLAIRE',
      text: 'Désolée pour l’attente !',
      ts: '1780000900.000001',
      thread_ts: ts,
      event_ts: '1780000900.000001',
    });
    await until(() => lastText(t).includes('Désolée pour l’attente'));
    const metrics = (await t.app.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('ccv_handover_total{event="timed_out"} 1');
    // 76 minutes to the first answer: in the 7200 s bucket, not in the 3600 s one.
    expect(metrics).toContain('ccv_handover_first_answer_seconds_bucket{le="3600"} 0');
    expect(metrics).toContain('ccv_handover_first_answer_seconds_bucket{le="7200"} 1');
  });

  it('out of HANDOVER_HOURS the person is told at once when the team is back', async () => {
    const t = await createHandoverHarness({
      env: { HANDOVER_HOURS: 'lun-ven 09:00-18:00; sam 09:00-12:00' },
      // A Saturday, 15:00 or 16:00 in Paris.
      start: comingWeekday(6, 14),
    });
    h = t;
    await openRequest(t);
    const told = t.telegram.slice(-2).map((m) => visible(m.text));
    expect(told[0]).toBe(SENT_TEXT);
    expect(told[1]).toMatch(/absente pour le moment : elle vous répondra lundi à 9 h/);
    expect(told[1]).toMatch(/Banque des Territoires/);
    // The request still went to Slack, and nobody is told twice.
    expect(t.calls('chat.postMessage')).toHaveLength(1);
    t.advance(3 * 3_600_000);
    expect((await t.app.handover?.sweep())?.told).toBe(0);
  });
});

describe('two « pas compris » in a row', () => {
  it('the second offers the town team; « oublier mes données » erases the count', async () => {
    const t = await createHandoverHarness();
    h = t;
    await t.telegramUpdate(textUpdate(1, 'zzkqv blorp'));
    expect(keyboard(t.telegram.at(-1)).map((b) => b.text)).not.toContain(HANDOVER_OFFER_LABEL);
    await t.telegramUpdate(textUpdate(2, 'xyzzy plugh'));
    expect(lastText(t)).toContain(MISSED_OFFER_TEXT);
    const offer = keyboard(t.telegram.at(-1)).find((b) => b.text === HANDOVER_OFFER_LABEL);
    expect(offer?.callback_data).toBe(HANDOVER_ACTIONS.ask);
    await t.telegramUpdate(callbackUpdate(3, offer?.callback_data ?? ''));
    expect(lastText(t)).toContain(CONSENT_SLACK_WARNING);
    await t.telegramUpdate(callbackUpdate(4, HANDOVER_ACTIONS.decline));

    // An understood turn starts the count again; « oublier mes données » erases it.
    await t.telegramUpdate(textUpdate(5, 'menu'));
    await t.telegramUpdate(textUpdate(6, 'qwzx vvv'));
    expect(lastText(t)).not.toContain(MISSED_OFFER_TEXT);
    const stored = (await t.store.conversations.get(KEY))?.data as { snapshot: object };
    expect(stored.snapshot).toHaveProperty('handoverMisses', 1);
    await t.telegramUpdate(textUpdate(7, 'oublier mes données'));
    const confirm = keyboard(t.telegram.at(-1))[0];
    await t.telegramUpdate(callbackUpdate(8, confirm?.callback_data ?? ''));
    expect(await t.store.conversations.get(KEY)).toBeUndefined();
    await t.telegramUpdate(textUpdate(9, 'zzkqv blorp'));
    expect(lastText(t)).not.toContain(MISSED_OFFER_TEXT);
  });
});

describe('the person decides', () => {
  it('« Non merci »: nothing goes to Slack and the assistant goes on', async () => {
    const t = await createHandoverHarness();
    h = t;
    await t.telegramUpdate(textUpdate(1, 'un humain'));
    await t.telegramUpdate(callbackUpdate(2, HANDOVER_ACTIONS.decline));
    expect(lastText(t)).toBe(DECLINED_TEXT);
    expect(t.calls('chat.postMessage')).toHaveLength(0);
    await t.telegramUpdate(callbackUpdate(3, HANDOVER_ACTIONS.consent));
    expect(t.calls('chat.postMessage')).toHaveLength(0);
  });

  it('« reprendre avec l’assistant » closes it: both sides are told', async () => {
    const t = await createHandoverHarness();
    h = t;
    const ts = await openRequest(t);
    await t.telegramUpdate(textUpdate(10, 'Reprendre avec l’assistant'));
    expect(lastText(t)).toBe(CLOSED_BY_PERSON_TEXT);
    await until(() => t.calls('chat.update').length === 1);
    expect(JSON.stringify(t.calls('chat.update')[0]?.args.blocks)).toContain(
      'Close par la personne',
    );
    const notice = t.calls('chat.postMessage').find((c) => c.args.thread_ts === ts);
    expect(String(notice?.args.text)).toContain('repris avec l’assistant');
    // The assistant answers again.
    const before = t.calls('chat.postMessage').length;
    await t.telegramUpdate(textUpdate(11, 'menu'));
    expect(t.calls('chat.postMessage')).toHaveLength(before);
    expect(lastText(t)).not.toBe(CLOSED_BY_PERSON_TEXT);
  });

  it('« oublier mes données » during an open request: the team is told, our side is erased, replies reach nobody', async () => {
    const t = await createHandoverHarness();
    h = t;
    const ts = await openRequest(t);
    await t.slackEvent({
      type: 'message',
      channel: 'C0COMMERCE',
      user: 'U0CLAIRE',
      text: 'Bonjour, je suis là',
      ts: '1780000100.000001',
      thread_ts: ts,
      event_ts: '1780000100.000001',
    });
    await until(() => lastText(t).includes('je suis là'));
    // The request ends at once (the team is told); the dialogue asks to confirm the erasure.
    await t.telegramUpdate(textUpdate(20, 'oublier mes données'));
    const markup = t.telegram.at(-1)?.reply_markup as
      | { inline_keyboard: { callback_data: string }[][] }
      | undefined;
    const confirm = markup?.inline_keyboard.flat()[0];
    await t.telegramUpdate(callbackUpdate(21, confirm?.callback_data ?? ''));
    const notice = t
      .calls('chat.postMessage')
      .find((c) => c.args.thread_ts === ts && String(c.args.text).includes('effacement'));
    expect(notice).toBeDefined();
    const thread = t.calls('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(thread.some((c) => String(c.args.text).includes('repris avec'))).toBe(false);
    expect(JSON.stringify(t.calls('chat.update').at(-1)?.args.blocks)).toContain(
      'Close par la personne (données effacées)',
    );
    expect(await t.store.coordination.recall(`handover:${KEY}`)).toBeUndefined();
    expect(await t.store.coordination.recall(`handover:thread:C0COMMERCE:${ts}`)).toBeUndefined();
    expect(await t.store.conversations.get(KEY)).toBeUndefined();
    const count = t.telegram.length;
    await t.slackEvent({
      type: 'message',
      channel: 'C0COMMERCE',
      user: 'U0CLAIRE',
      text: 'Vous êtes toujours là ?',
      ts: '1780000200.000001',
      thread_ts: ts,
      event_ts: '1780000200.000001',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.telegram).toHaveLength(count);
  });
});

describe('Slack is away', () => {
  it('the person is told the message is kept; it reaches the thread once Slack answers, in order, once', async () => {
    const t = await createHandoverHarness();
    h = t;
    const ts = await openRequest(t);
    t.slackDown = true;
    await t.telegramUpdate(textUpdate(30, 'Premier message'));
    expect(lastText(t)).toBe(KEPT_TEXT);
    await t.telegramUpdate(textUpdate(31, 'Deuxième message'));
    expect(lastText(t)).toBe(KEPT_TEXT);
    t.slackDown = false;
    await t.telegramUpdate(textUpdate(32, 'Troisième message'));
    await t.telegramUpdate(textUpdate(32, 'Troisième message')); // redelivered
    const inThread = t
      .calls('chat.postMessage')
      .filter((c) => c.args.thread_ts === ts)
      .map((c) => String(c.args.text));
    expect(inThread).toEqual([
      '👤 La personne : Premier message',
      '👤 La personne : Deuxième message',
      '👤 La personne : Troisième message',
    ]);
  }, 20_000);
});
