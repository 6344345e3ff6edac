/**
 * The handover's storage contract, run on each store (memory, SQLite, Redis): the request and its
 * thread link round-trip, corrupt data reads as none, « oublier mes données » erases both, repeats
 * are seen once, and changes are exclusive. Then two instances on one Redis receive the same
 * staff reply: the person gets it once.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Handover } from '../../src/handover/model.js';
import { createHandoverService, type HandoverSlackPort } from '../../src/handover/service.js';
import { createHandoverStore, MAX_OPEN } from '../../src/handover/store.js';
import type { Reply } from '../../src/reply/model.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createRedisStore } from '../../src/storage/redis.js';
import { createSqliteStore } from '../../src/storage/sqlite.js';
import type { Store } from '../../src/storage/types.js';

const redisUrl = process.env.REDIS_TEST_URL;
const prefix = () => `clic-test:handover:${randomUUID().slice(0, 8)}:`;

const factories: [string, () => Store][] = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore({ file: ':memory:' })],
  ...(redisUrl
    ? ([['redis', () => createRedisStore({ url: redisUrl, prefix: prefix() })]] as [
        string,
        () => Store,
      ][])
    : []),
];

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function sample(overrides: Partial<Handover> = {}): Handover {
  return {
    v: 1,
    key: 'telegram:7012345678:42',
    channel: 'telegram',
    userRef: '7012345678:42',
    state: 'open',
    createdAt: Date.now(),
    requestedAt: Date.now(),
    slack: { channel: 'C0COMMERCE', ts: '1780000000.000101' },
    pending: [],
    relayed: [],
    messages: [],
    undelivered: [],
    seq: 0,
    ...overrides,
  };
}

it('runs on Redis too (vitest starts one: REDIS_TEST_URL)', () => {
  expect(redisUrl, 'REDIS_TEST_URL is set by the global setup').toBeTruthy();
});

describe.each(factories)('handover store on %s', (_name, make) => {
  const open = () => {
    const store = make();
    opened.push(store);
    return store;
  };

  it('round-trips a request and finds it by its Slack thread; remove forgets both', async () => {
    const store = open();
    const handovers = createHandoverStore(store.coordination);
    const h = sample({
      town: 'Dole',
      takenBy: 'Claire',
      waitUntil: Date.now() + 600_000,
      pending: [{ id: 'telegram:update:7', text: 'Bonjour', at: 1 }],
      relayed: ['telegram:update:6'],
      messages: [{ seq: 1, from: 'staff', text: 'Oui ?', at: 2, ref: '1780000100.000001' }],
      undelivered: [1],
      seq: 1,
      retry: { toSlack: { attempts: 2, at: 3 } },
      rate: { toPerson: { start: 4, count: 5 } },
    });
    await handovers.put(h);
    expect(await handovers.get(h.key)).toEqual(h);
    expect(await handovers.byThread('C0COMMERCE', '1780000000.000101')).toBe(h.key);
    expect(await handovers.byThread('C0AUTRE', '1780000000.000101')).toBeUndefined();
    await handovers.remove(h);
    await new Promise((r) => setTimeout(r, 5));
    expect(await handovers.get(h.key)).toBeUndefined();
    expect(await handovers.byThread('C0COMMERCE', '1780000000.000101')).toBeUndefined();
  });

  it('reads stored data as untrusted: another key, a bad state or junk is no request', async () => {
    const store = open();
    const handovers = createHandoverStore(store.coordination);
    await store.coordination.remember(
      'handover:telegram:7012345678:42',
      { ...sample(), state: 'weird' },
      60_000,
    );
    expect(await handovers.get('telegram:7012345678:42')).toBeUndefined();
    await store.coordination.remember(
      'handover:telegram:7012345678:42',
      sample({ key: 'web:other' }),
      60_000,
    );
    expect(await handovers.get('telegram:7012345678:42')).toBeUndefined();
    await store.coordination.remember('handover:telegram:7012345678:42', 'junk', 60_000);
    expect(await handovers.get('telegram:7012345678:42')).toBeUndefined();
    // Kept messages as an earlier release stored them (plain strings) still go out, in order.
    const { relayed: _r, undelivered: _u, ...older } = sample({ createdAt: 9 });
    await store.coordination.remember(
      'handover:telegram:7012345678:42',
      { ...older, pending: ['Un', 42, 'Deux'] },
      60_000,
    );
    const read = await handovers.get('telegram:7012345678:42');
    expect(read?.pending.map((p) => p.text)).toEqual(['Un', 'Deux']);
    expect(new Set(read?.pending.map((p) => p.id)).size).toBe(2);
    expect(read?.relayed).toEqual([]);
  });

  it('« oublier mes données » (deleteByUser) erases the request and its thread link', async () => {
    const store = open();
    const handovers = createHandoverStore(store.coordination);
    const h = sample({ messages: [{ seq: 1, from: 'staff', text: 'Bonjour', at: 1 }], seq: 1 });
    await handovers.put(h);
    await handovers.put(
      sample({
        key: 'telegram:7012345678:43',
        userRef: '7012345678:43',
        slack: { channel: 'C0COMMERCE', ts: '2' },
      }),
    );
    await store.conversations.deleteByUser('telegram', '7012345678:42');
    expect(await handovers.get(h.key)).toBeUndefined();
    expect(await handovers.byThread('C0COMMERCE', '1780000000.000101')).toBeUndefined();
    // Someone else's request stays.
    expect(await handovers.get('telegram:7012345678:43')).toBeDefined();
  });

  it('keeps an index of open requests: added once, taken out, oldest first, bounded', async () => {
    const store = open();
    const handovers = createHandoverStore(store.coordination);
    expect(await handovers.openKeys()).toEqual([]);
    await Promise.all(['web:a', 'web:b', 'web:c'].map((k) => handovers.track(k, true)));
    await handovers.track('web:a', true);
    expect([...(await handovers.openKeys())].sort()).toEqual(['web:a', 'web:b', 'web:c']);
    await handovers.track('web:b', false);
    expect(await handovers.openKeys()).not.toContain('web:b');
    for (let i = 0; i < MAX_OPEN + 2; i++) await handovers.track(`telegram:${i}`, true);
    const keys = await handovers.openKeys();
    expect(keys).toHaveLength(MAX_OPEN);
    expect(keys.at(-1)).toBe(`telegram:${MAX_OPEN + 1}`);
    expect(keys).not.toContain('web:a');
  });

  it('sees a relay id once, and runs changes of one request one at a time', async () => {
    const store = open();
    const handovers = createHandoverStore(store.coordination);
    expect(await handovers.firstTime('telegram:update:1')).toBe(true);
    expect(await handovers.firstTime('telegram:update:1')).toBe(false);
    const order: string[] = [];
    await Promise.all(
      ['a', 'b'].map((name) =>
        handovers.exclusive('web:x', async () => {
          order.push(`${name}:in`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${name}:out`);
        }),
      ),
    );
    expect(order[1]).toMatch(/:out$/);
    expect(order[3]).toMatch(/:out$/);
  });
});

describe.runIf(redisUrl)('two instances on one Redis', () => {
  it('index open requests together without losing one', async () => {
    const shared = prefix();
    const stores = [0, 1].map(() => createRedisStore({ url: redisUrl ?? '', prefix: shared }));
    opened.push(...stores);
    const both = stores.map((s) => createHandoverStore(s.coordination));
    const keys = Array.from({ length: 10 }, (_, i) => `telegram:${i}`);
    await Promise.all(keys.map((k, i) => both[i % 2]?.track(k, true)));
    const seen = (await both[0]?.openKeys()) ?? [];
    expect([...seen].sort()).toEqual([...keys].sort());
  });

  it('the same staff reply, received by both, reaches the person once', async () => {
    const shared = prefix();
    const stores = [0, 1].map(() => createRedisStore({ url: redisUrl ?? '', prefix: shared }));
    opened.push(...stores);
    const delivered: (readonly Reply[])[] = [];
    const slack: HandoverSlackPort = {
      postRequest: async () => ({ channel: 'C0COMMERCE', ts: '1' }),
      updateRequest: async () => undefined,
      postInThread: async () => undefined,
      displayName: async () => 'Claire',
    };
    const services = stores.map((store) => {
      const service = createHandoverService({
        store: createHandoverStore(store.coordination),
        slack,
        slackChannel: 'C0COMMERCE',
        logger: { info() {}, warn() {}, error() {} },
      });
      service.deliverWith('telegram', async (_user, replies) => {
        delivered.push(replies);
      });
      return service;
    });
    await createHandoverStore((stores[0] as Store).coordination).put(sample());
    const ref = { channel: 'C0COMMERCE', ts: '1780000000.000101' };
    const reply = { ts: '1780000100.000001', userId: 'U0CLAIRE', text: 'Je regarde' };
    await Promise.all(services.map((s) => s.staffReply(ref, reply)));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.map((r) => r.text).join(' ')).toContain('Je regarde');
  });
});
