/**
 * The runtime's side of at-least-once delivery (issue 20): a turn with an outbox id stores its
 * replies with it; the same id again never runs the turn again — it hands back what is left to
 * deliver, or nothing while someone else delivers it or once all is delivered; `deliverOutbox`
 * records each accepted message and gives up within bounds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX_POLICY, deliverOutbox } from '../../src/runtime/outbox.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import { createRecordingLogger, said, setup, telegramCtx } from './helpers.js';

const KEY = 'telegram:42';
const ID = 'telegram:bot:update:1';
let clock: number;
let store: Store;

beforeEach(() => {
  clock = Date.now();
  store = createMemoryStore({ now: () => clock });
});
afterEach(async () => {
  await store.close();
});

describe('a turn with an outbox id', () => {
  it('is run once: the same id again gets what is left, or nothing', async () => {
    const { runtime, engine } = setup(store, { outboxLeaseMs: 1000 });
    const first = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: ID, target: { chatId: 42 } },
    });
    expect(first).toMatchObject({ outcome: 'ok', delivery: { id: ID, sent: 0, attempts: 1 } });
    const steps = engine.calls.step;

    // Redelivered while the first delivery still holds its lease: nothing to send here.
    const busy = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: ID },
    });
    expect(busy).toEqual({ replies: [], outcome: 'replayed' });

    // The first instance died: once its lease ran out, the redelivery gets the replies.
    clock += 1500;
    const again = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: ID },
    });
    expect(again.outcome).toBe('replayed');
    expect(said(again.replies)).toBe(said(first.replies));
    expect(again.delivery).toMatchObject({ id: ID, sent: 0, attempts: 2 });
    expect(engine.calls.step).toBe(steps); // the dialogue did not run again
    expect((await store.conversations.get(KEY))?.revision).toBe(1);

    await store.outbox.settle(ID, 1, { done: true });
    clock += 5000;
    const done = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: ID },
    });
    expect(done).toEqual({ replies: [], outcome: 'replayed' });
  });

  it('must belong to the turn’s channel', async () => {
    const { runtime } = setup(store);
    const result = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: 'slack:T1:event:Ev1' },
    });
    expect(result).toMatchObject({ outcome: 'error', code: 'bad-key' });
    expect(await store.conversations.get(KEY)).toBeUndefined();
  });

  it('a store that fails says so: retryable, nothing stored', async () => {
    const { runtime } = setup({
      ...store,
      outbox: {
        ...store.outbox,
        claim: async () => {
          throw new Error('down');
        },
      },
    });
    const result = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      outbox: { id: ID },
    });
    expect(result).toMatchObject({ outcome: 'error', code: 'load-failed', retryable: true });
  });
});

describe('deliverOutbox', () => {
  async function stored(): Promise<void> {
    const { runtime } = setup(store, { outboxLeaseMs: 1000 });
    await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, { outbox: { id: ID } });
  }
  const delivery = (attempts = 1, sent = 0) => ({ id: ID, sent, attempts, createdAt: clock });

  it('records each accepted message and resumes after the last one', async () => {
    await stored();
    const logger = createRecordingLogger();
    const sent: string[] = [];
    let fail = 'b';
    const send = async (m: string) => {
      if (m === fail) return 'retry' as const;
      sent.push(m);
      return 'sent' as const;
    };
    const messages = ['a', 'b', 'c'];
    const first = await deliverOutbox({
      store,
      logger,
      channel: 'telegram',
      now: () => clock,
      delivery: delivery(),
      messages,
      send,
    });
    expect(first).toBe('pending');
    expect(sent).toEqual(['a']);
    // The lease ended at once (a redelivery may take it); the sweep waits for the back-off.
    expect(await store.outbox.due('telegram', 10)).toEqual([]);
    clock += DEFAULT_OUTBOX_POLICY.backoffMs(1);
    expect(await store.outbox.due('telegram', 10)).toEqual([ID]);
    const claim = await store.outbox.claim(ID, 1000);
    expect(claim.state === 'claimed' && claim.entry.sent).toBe(1);
    fail = '';
    const second = await deliverOutbox({
      store,
      logger,
      channel: 'telegram',
      now: () => clock,
      delivery: delivery(2, 1),
      messages,
      send,
    });
    expect(second).toBe('delivered');
    expect(sent).toEqual(['a', 'b', 'c']); // never a message twice
    expect(await store.outbox.claim(ID, 1000)).toEqual({ state: 'done' });
  });

  it('gives up after the last attempt, or at once when the platform refuses for good', async () => {
    await stored();
    const logger = createRecordingLogger();
    const outcome = await deliverOutbox({
      store,
      logger,
      channel: 'telegram',
      now: () => clock,
      delivery: delivery(DEFAULT_OUTBOX_POLICY.maxAttempts),
      messages: ['a'],
      send: async () => 'retry',
    });
    expect(outcome).toBe('abandoned');
    expect(logger.lines.find((l) => l.obj.code === 'outbox-abandoned')?.obj).toMatchObject({
      reason: 'too-many-attempts',
    });
    expect(await store.outbox.claim(ID, 1000)).toEqual({ state: 'done' });
  });
});
