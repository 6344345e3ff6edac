/**
 * Nothing lost, nothing doubled (issue 18): the person's messages kept while Slack is away go
 * out from the periodic check, in order, once, on one instance or two on one Redis; the wait
 * deadline is stored, so another instance tells the person after a restart, once; the team's
 * replies Telegram refuses are reported in the thread and tried again, a bounded number of times;
 * relays are rate-limited both ways without losing anything; and a crash right after a relay is
 * recorded neither loses it nor sends it twice.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DELIVERY_FAILED_NOTICE,
  DELIVERY_GIVEN_UP_NOTICE,
  GIVEN_UP_TEXT,
  KEPT_TEXT,
  PERSON_RELAYS_PER_MINUTE,
  PERSON_TRIES,
  RATE_TEXT,
  RETRY_MAX_MS,
  SENT_TEXT,
  SLACK_TRIES,
  STAFF_RATE_NOTICE,
  STAFF_RELAYS_PER_MINUTE,
} from '../../src/handover/service.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createRedisStore } from '../../src/storage/redis.js';
import type { CoordinationStore, Store } from '../../src/storage/types.js';
import { CHAT_ID, callbackUpdate, textUpdate } from '../telegram/fixtures/updates.js';
import {
  comingWeekday,
  createHandoverHarness,
  createHandoverWorld,
  type HandoverHarness,
  type HandoverWorld,
  threadReply,
  until,
  visible,
} from './harness.js';

const KEY = `telegram:7012345678:${CHAT_ID}`;
const redisUrl = process.env.REDIS_TEST_URL;

const running: HandoverHarness[] = [];
afterEach(async () => {
  for (const t of running.splice(0).reverse()) await t.close();
});

async function instance(
  options: Parameters<typeof createHandoverHarness>[0] = {},
): Promise<HandoverHarness> {
  const t = await createHandoverHarness(options);
  running.push(t);
  return t;
}

/** One store per instance, all on the same Redis keys. */
function sharedRedis(): () => Store {
  const prefix = `clic-test:handover-robust:${randomUUID().slice(0, 8)}:`;
  return () => createRedisStore({ url: redisUrl ?? '', prefix });
}

const lastText = (w: HandoverWorld) => visible(w.telegram.at(-1)?.text);
/** What reached the request's thread from the person, in order. */
const thread = (w: HandoverWorld, ts: string) =>
  w.slack
    .filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts)
    .map((c) => String(c.args.text));
const fromPerson = (w: HandoverWorld, ts: string) =>
  thread(w, ts)
    .filter((t) => t.startsWith('👤 La personne : '))
    .map((t) => t.slice('👤 La personne : '.length));

async function openRequest(t: HandoverHarness, first = 1): Promise<string> {
  await t.telegramUpdate(textUpdate(first, 'Bonjour'));
  await t.telegramUpdate(textUpdate(first + 1, 'je voudrais parler à quelqu’un'));
  await t.telegramUpdate(callbackUpdate(first + 2, HANDOVER_ACTIONS.consent));
  expect(lastText(t.world)).toBe(SENT_TEXT);
  const stored = (await t.store.coordination.recall(`handover:${KEY}`)) as {
    slack?: { ts: string };
  };
  if (!stored.slack) throw new Error('no request posted');
  return stored.slack.ts;
}

describe('kept messages go out from the periodic check', () => {
  it('Slack away then back: in order, once, after the backoff, without the person writing again', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    t.slackDown = true;
    await t.telegramUpdate(textUpdate(10, 'Premier message'));
    expect(lastText(t.world)).toBe(KEPT_TEXT);
    await t.telegramUpdate(textUpdate(11, 'Deuxième message'));
    expect(lastText(t.world)).toBe(KEPT_TEXT);
    const handover = t.app.handover;
    if (!handover) throw new Error('handover is off');
    // Still away: nothing goes, nothing is lost.
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).relayed).toBe(0);
    t.slackDown = false;
    // Back, but the next try is not due yet.
    expect((await handover.sweep()).relayed).toBe(0);
    expect(fromPerson(t.world, ts)).toEqual([]);
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).relayed).toBe(2);
    expect((await handover.sweep()).relayed).toBe(0);
    expect(fromPerson(t.world, ts)).toEqual(['Premier message', 'Deuxième message']);
    // And the next message goes straight away.
    await t.telegramUpdate(textUpdate(12, 'Troisième message'));
    expect(fromPerson(t.world, ts)).toEqual([
      'Premier message',
      'Deuxième message',
      'Troisième message',
    ]);
    expect(t.app.metrics.render()).toContain('ccv_handover_total{event="relay_retried"} 1');
  }, 30_000);

  it('the timer runs the check: kept messages arrive without anyone calling it', async () => {
    const t = await instance({ checkMs: 50 });
    const ts = await openRequest(t);
    t.slackDown = true;
    await t.telegramUpdate(textUpdate(10, 'Gardé par le minuteur'));
    expect(lastText(t.world)).toBe(KEPT_TEXT);
    t.slackDown = false;
    t.advance(RETRY_MAX_MS);
    await until(() => fromPerson(t.world, ts).length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(fromPerson(t.world, ts)).toEqual(['Gardé par le minuteur']);
  }, 30_000);

  it('Slack away for good: after its tries the person is told, and nothing is tried again', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    t.slackDown = true;
    await t.telegramUpdate(textUpdate(10, 'Message perdu ?'));
    const handover = t.app.handover;
    if (!handover) throw new Error('handover is off');
    for (let i = 1; i < SLACK_TRIES; i++) {
      t.advance(RETRY_MAX_MS);
      await handover.sweep();
    }
    expect(lastText(t.world)).toBe(GIVEN_UP_TEXT);
    const stored = (await t.store.coordination.recall(`handover:${KEY}`)) as { pending: unknown[] };
    expect(stored.pending).toEqual([]);
    t.slackDown = false;
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).relayed).toBe(0);
    expect(fromPerson(t.world, ts)).toEqual([]);
    expect(t.app.metrics.render()).toContain('ccv_handover_total{event="relay_given_up"} 1');
  }, 120_000);

  it.runIf(redisUrl)(
    'two instances on one Redis check at once: each kept message arrives once, in order',
    async () => {
      const world = createHandoverWorld();
      const store = sharedRedis();
      const a = await instance({ world, store: store() });
      const b = await instance({ world, store: store() });
      const ts = await openRequest(a);
      world.slackDown = true;
      await a.telegramUpdate(textUpdate(10, 'Un'));
      await b.telegramUpdate(textUpdate(11, 'Deux'));
      await a.telegramUpdate(textUpdate(12, 'Trois'));
      expect(lastText(world)).toBe(KEPT_TEXT);
      world.slackDown = false;
      world.advance(RETRY_MAX_MS);
      const [ra, rb] = await Promise.all([a.app.handover?.sweep(), b.app.handover?.sweep()]);
      expect((ra?.relayed ?? 0) + (rb?.relayed ?? 0)).toBe(3);
      expect(fromPerson(world, ts)).toEqual(['Un', 'Deux', 'Trois']);
    },
    30_000,
  );
});

describe.runIf(redisUrl)('two instances on one Redis', () => {
  it('receive the same Slack event and the same Telegram update: each relayed once', async () => {
    const world = createHandoverWorld();
    const store = sharedRedis();
    const a = await instance({ world, store: store() });
    const b = await instance({ world, store: store() });
    const ts = await openRequest(a);
    const before = world.telegram.length;
    const reply = threadReply(ts, '1780000300.000001', 'Une seule fois');
    await Promise.all([
      a.slackEvent(reply, { eventId: 'Ev0TWICE' }),
      b.slackEvent(reply, { eventId: 'Ev0TWICE' }),
    ]);
    await until(() => world.telegram.length > before);
    await new Promise((r) => setTimeout(r, 200));
    const got = world.telegram.slice(before).map((m) => visible(m.text));
    expect(got.filter((x) => x.includes('Une seule fois'))).toHaveLength(1);
    await Promise.all([
      a.telegramUpdate(textUpdate(40, 'Bien reçu')),
      b.telegramUpdate(textUpdate(40, 'Bien reçu')),
    ]);
    expect(fromPerson(world, ts)).toEqual(['Bien reçu']);
  }, 30_000);
});

describe('a team reply is stored before Slack gets its answer', () => {
  it('the 200 leaves once the reply is recorded: an instance dying after it loses nothing', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    const res = await t.slackEvent(threadReply(ts, '1780000100.000077', 'Réponse gardée'));
    expect(res.statusCode).toBe(200);
    // No wait, no drain: what the answer promises is already in the store.
    const stored = JSON.stringify(await t.store.coordination.recall(`handover:${KEY}`));
    expect(stored).toContain('Réponse gardée');
    // Slack sends it again (say the 200 was lost): still relayed once.
    const before = t.world.telegram.length;
    await t.slackEvent(threadReply(ts, '1780000100.000077', 'Réponse gardée'), { retryNum: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const again = t.world.telegram
      .slice(before)
      .filter((m) => visible(m.text).includes('Réponse gardée'));
    expect(again).toHaveLength(0);
  });
});

describe('the wait survives a restart', () => {
  it.runIf(redisUrl)(
    'A posts and stops; B and C start, and the person is told once after the wait',
    async () => {
      const world = createHandoverWorld(comingWeekday(3, 10));
      const store = sharedRedis();
      const env = { HANDOVER_WAIT_MINUTES: '15' };
      const a = await instance({ world, store: store(), env });
      await openRequest(a);
      const stored = (await a.store.coordination.recall(`handover:${KEY}`)) as {
        waitUntil: number;
      };
      expect(stored.waitUntil).toBe(world.now() + 15 * 60_000);
      await a.stop();

      const b = await instance({ world, store: store(), env });
      const c = await instance({ world, store: store(), env });
      world.advance(14 * 60_000);
      expect((await b.app.handover?.sweep())?.told).toBe(0);
      world.advance(2 * 60_000);
      const reports = await Promise.all([b.app.handover?.sweep(), c.app.handover?.sweep()]);
      expect(reports.map((r) => r?.told ?? 0).reduce((x, y) => x + y)).toBe(1);
      const told = world.telegram.filter((m) => visible(m.text).includes('reste ouverte'));
      expect(told).toHaveLength(1);
      expect(visible(told[0]?.text)).toMatch(/Personne de l’équipe n’a encore pu prendre/);
      world.advance(60 * 60_000);
      expect((await c.app.handover?.sweep())?.told).toBe(0);
    },
    30_000,
  );

  it('a reply before the deadline: nobody is told that nobody answered', async () => {
    const t = await instance({ env: { HANDOVER_WAIT_MINUTES: '10' }, start: comingWeekday(3, 10) });
    const ts = await openRequest(t);
    t.advance(5 * 60_000);
    await t.slackEvent(threadReply(ts, '1780000100.000001', 'Je regarde.'));
    await until(() => lastText(t.world).includes('Je regarde.'));
    t.advance(10 * 60_000);
    expect((await t.app.handover?.sweep())?.told).toBe(0);
  });
});

describe('a reply Telegram refuses', () => {
  it('is reported in the thread once, tried again by the check, and delivered once when Telegram takes it', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    t.world.telegramRefuses = true;
    await t.slackEvent(threadReply(ts, '1780000100.000001', 'Voici le dossier.'));
    await until(() => thread(t.world, ts).some((x) => x.includes(DELIVERY_FAILED_NOTICE)));
    const handover = t.app.handover;
    if (!handover) throw new Error('handover is off');
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).delivered).toBe(0);
    expect(thread(t.world, ts).filter((x) => x.includes(DELIVERY_FAILED_NOTICE))).toHaveLength(1);
    t.world.telegramRefuses = false;
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).delivered).toBe(1);
    t.advance(RETRY_MAX_MS);
    expect((await handover.sweep()).delivered).toBe(0);
    const got = t.world.telegram.filter((m) => visible(m.text).includes('Voici le dossier.'));
    expect(got).toHaveLength(1);
  });

  it('refused again and again (a blocked bot): given up after its tries, the team told', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    t.world.telegramRefuses = true;
    await t.slackEvent(threadReply(ts, '1780000100.000001', 'Vous êtes là ?'));
    await until(() => t.world.refused > 0);
    const handover = t.app.handover;
    if (!handover) throw new Error('handover is off');
    for (let i = 1; i < PERSON_TRIES + 3; i++) {
      t.advance(RETRY_MAX_MS);
      await handover.sweep();
    }
    expect(t.world.refused).toBe(PERSON_TRIES);
    expect(thread(t.world, ts).filter((x) => x.includes(DELIVERY_GIVEN_UP_NOTICE))).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it('the person writing fast: the extra messages are kept, the person is told, they go the next minute', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    const sent = Array.from({ length: PERSON_RELAYS_PER_MINUTE + 2 }, (_, i) => `Message ${i + 1}`);
    for (const [i, text] of sent.entries()) await t.telegramUpdate(textUpdate(20 + i, text));
    expect(fromPerson(t.world, ts)).toEqual(sent.slice(0, PERSON_RELAYS_PER_MINUTE));
    expect(lastText(t.world)).toBe(RATE_TEXT);
    expect((await t.app.handover?.sweep())?.relayed).toBe(0);
    t.advance(61_000);
    expect((await t.app.handover?.sweep())?.relayed).toBe(2);
    expect(fromPerson(t.world, ts)).toEqual(sent);
    expect(t.app.metrics.render()).toMatch(/ccv_handover_total\{event="rate_limited"\} [1-9]/);
  });

  it('the team writing fast: the extra replies wait a minute, the thread is told once, none is lost', async () => {
    const t = await instance();
    const ts = await openRequest(t);
    const before = t.world.telegram.length;
    const replies = Array.from(
      { length: STAFF_RELAYS_PER_MINUTE + 2 },
      (_, i) => `Réponse ${i + 1}`,
    );
    for (const [i, text] of replies.entries()) {
      await t.slackEvent(threadReply(ts, `1780000100.0000${10 + i}`, text));
    }
    await until(() => thread(t.world, ts).some((x) => x.includes(STAFF_RATE_NOTICE)));
    const got = () => t.world.telegram.slice(before).map((m) => visible(m.text).split('\n').at(-1));
    expect(got()).toEqual(replies.slice(0, STAFF_RELAYS_PER_MINUTE));
    expect(thread(t.world, ts).filter((x) => x.includes(STAFF_RATE_NOTICE))).toHaveLength(1);
    // Every reply is recorded (the events are handled after Slack's acknowledgement).
    const recorded = async () =>
      JSON.stringify(await t.store.coordination.recall(`handover:${KEY}`)).includes(
        `"${replies.at(-1)}"`,
      );
    for (let i = 0; i < 100 && !(await recorded()); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await recorded()).toBe(true);
    t.advance(61_000);
    expect((await t.app.handover?.sweep())?.delivered).toBe(2);
    expect(got()).toEqual(replies);
  });
});

/** `store`, whose first write matching `when` throws once it is written (a crash after it). */
function crashingAfter(store: Store, when: (id: string, value: unknown) => boolean): Store {
  let armed = true;
  const coordination = new Proxy(store.coordination, {
    get(target, prop, receiver) {
      if (prop === 'remember') {
        return async (...args: Parameters<CoordinationStore['remember']>) => {
          await target.remember(...args);
          if (armed && when(args[0], args[1])) {
            armed = false;
            throw new Error('crash after the write');
          }
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'coordination') return coordination;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a crash right after a relay is recorded', () => {
  it('the person’s message: Telegram’s redelivery sends it once', async () => {
    const store = crashingAfter(createMemoryStore(), (_id, value) =>
      JSON.stringify(value ?? null).includes('"text":"Message fragile"'),
    );
    const t = await instance({ store });
    const ts = await openRequest(t);
    const crashed = await t.telegramUpdate(textUpdate(30, 'Message fragile'));
    expect(crashed.statusCode).not.toBe(200);
    expect(fromPerson(t.world, ts)).toEqual([]);
    // Telegram sends the update again (and again): once in the thread.
    await t.telegramUpdate(textUpdate(30, 'Message fragile'));
    await t.telegramUpdate(textUpdate(30, 'Message fragile'));
    expect(fromPerson(t.world, ts)).toEqual(['Message fragile']);
    await t.telegramUpdate(textUpdate(31, 'La suite'));
    expect(fromPerson(t.world, ts)).toEqual(['Message fragile', 'La suite']);
  });

  it('a team reply: the check delivers it once, and Slack’s retry does not double it', async () => {
    const store = crashingAfter(createMemoryStore(), (_id, value) =>
      JSON.stringify(value ?? null).includes('"ref":"1780000100.000042"'),
    );
    const t = await instance({ store });
    const ts = await openRequest(t);
    const before = t.world.telegram.length;
    const reply = threadReply(ts, '1780000100.000042', 'Réponse fragile');
    await t.slackEvent(reply, { eventId: 'Ev0FRAGILE' });
    await new Promise((r) => setTimeout(r, 100));
    await t.slackEvent(reply, { eventId: 'Ev0FRAGILE', retryNum: 1 });
    await new Promise((r) => setTimeout(r, 100));
    await t.app.handover?.sweep();
    await t.app.handover?.sweep();
    const got = t.world.telegram
      .slice(before)
      .filter((m) => visible(m.text).includes('Réponse fragile'));
    expect(got).toHaveLength(1);
  });
});
