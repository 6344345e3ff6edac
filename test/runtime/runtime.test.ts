import { describe, expect, it } from 'vitest';
import { button, text, withButtons } from '../../src/reply/build.js';
import { FALLBACK_TEXT } from '../../src/runtime/messages.js';
import { conversationKey, logKey, parseKey } from '../../src/runtime/runtime.js';
import type { Effect } from '../../src/runtime/types.js';
import { type Envelope, MAX_TRANSCRIPT_ENTRIES } from '../../src/storage/envelope.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { CounterSnapshot } from './fake-engine.js';
import { said, setup, telegramCtx, webCtx } from './helpers.js';

const KEY = 'telegram:42';

async function stored(store: ReturnType<typeof createMemoryStore>, key = KEY) {
  const record = await store.conversations.get(key);
  return record?.data as Envelope | undefined;
}

describe('runtime: one turn, end to end (SPEC §7)', () => {
  it('a first message on a new conversation is welcomed and answered, and the state is stored', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const result = await runtime.turn(KEY, { type: 'text', text: 'bonjour' }, telegramCtx);
    expect(result.outcome).toBe('ok');
    expect(said(result.replies)).toBe('Bienvenue (v1).\nCompteur : 1.');
    expect(result.revision).toBe(1);
    const envelope = await stored(store);
    expect(envelope).toMatchObject({
      key: KEY,
      channel: 'telegram',
      userRef: '42',
      flowId: 'compteur',
      flowVersion: 1,
      revision: 1,
    });
    expect((envelope?.snapshot as CounterSnapshot | undefined)?.count).toBe(1);
  });

  it('a start event only welcomes; the next button press is applied once', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const start = await runtime.turn(KEY, { type: 'start', entry: 'objectif-3' }, telegramCtx);
    expect(said(start.replies)).toBe('Bienvenue (v1).');
    const press = await runtime.turn(KEY, { type: 'action', action: 'plus' }, telegramCtx);
    expect(said(press.replies)).toBe('Compteur : 1.');
    expect((await stored(store))?.revision).toBe(2);
    expect(((await stored(store))?.snapshot as CounterSnapshot | undefined)?.entry).toBe(
      'objectif-3',
    );
  });

  it('a deep-link payload outside Telegram’s allowed set is dropped, the start still happens', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn(KEY, { type: 'start', entry: '<script>' }, telegramCtx);
    expect(((await stored(store))?.snapshot as CounterSnapshot | undefined)?.entry).toBeUndefined();
  });

  it('keeps the town given at the start for later turns (the widget gives it only once)', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const first = await runtime.turn('web:c1', { type: 'start', town: 'Sens' }, { ...webCtx });
    expect(said(first.replies)).toBe('Bienvenue à Sens (v1).');
    expect((await stored(store, 'web:c1'))?.town).toBe('Sens');
  });

  it('stores a transcript the widget can restore: user text as text, a pressed button by its label', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn('web:c1', { type: 'start' }, webCtx);
    await runtime.turn('web:c1', { type: 'action', action: 'plus' }, webCtx);
    await runtime.turn('web:c1', { type: 'text', text: '<b>encore</b>' }, webCtx);
    const transcript = await runtime.transcript('web:c1');
    expect(
      transcript?.map((e) => [e.from, e.text ?? e.replies?.map((r) => r.text).join(' ')]),
    ).toEqual([
      ['bot', 'Bienvenue (v1).'],
      ['user', 'Ajouter un'],
      ['bot', 'Compteur : 1.'],
      ['user', '<b>encore</b>'],
      ['bot', 'Compteur : 2.'],
    ]);
    expect(transcript?.[1]?.action).toBe('plus');
    expect(await runtime.transcript('web:unknown')).toBeUndefined();
  });

  it(`keeps only the last ${MAX_TRANSCRIPT_ENTRIES} transcript entries`, async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    for (let i = 0; i < 60; i++)
      await runtime.turn('web:c1', { type: 'text', text: `message ${i}` }, webCtx);
    const transcript = await runtime.transcript('web:c1');
    expect(transcript).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
    expect(transcript?.at(-2)?.text).toBe('message 59');
  });

  it('records no transcript for Telegram (it keeps its own history), nor in the envelope', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn(KEY, { type: 'start' }, telegramCtx);
    await runtime.turn(KEY, { type: 'action', action: 'plus' }, telegramCtx);
    expect(await runtime.transcript(KEY)).toEqual([]);
    expect(await store.transcripts.read(KEY)).toEqual([]);
    const envelope = await stored(store);
    expect(envelope).not.toHaveProperty('transcript');
    expect(envelope).not.toHaveProperty('choices');
    // The option decides: with Telegram listed, it is recorded like the web's.
    const listed = setup(createMemoryStore(), { transcriptChannels: ['telegram'] }).runtime;
    await listed.turn(KEY, { type: 'text', text: 'bonjour' }, telegramCtx);
    expect((await listed.transcript(KEY))?.map((e) => e.from)).toEqual(['user', 'bot']);
  });

  it('the envelope a web turn stores stays small: the buttons shown, not the history', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn('web:c1', { type: 'start' }, webCtx);
    for (let i = 0; i < 20; i++)
      await runtime.turn('web:c1', { type: 'action', action: 'plus' }, webCtx);
    const envelope = await stored(store, 'web:c1');
    expect(envelope?.choices).toEqual([
      ['plus', 'Ajouter un'],
      ['oubli', 'Oublier mes données'],
    ]);
    expect(JSON.stringify(envelope).length).toBeLessThan(1000);
    expect(await runtime.transcript('web:c1')).toHaveLength(41);
  });

  it('an envelope stored before the transcript moved out still loads, and its transcript moves over', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn('web:c1', { type: 'start' }, webCtx);
    const current = await stored(store, 'web:c1');
    // What the previous release wrote: the whole transcript inside the envelope, no choices.
    const { choices: _, ...rest } = current as Envelope;
    const at = new Date().toISOString();
    const old = {
      ...rest,
      revision: 2,
      transcript: [
        {
          from: 'bot',
          at,
          replies: [withButtons(text('Ancien accueil.'), [button('Ajouter un', 'plus')])],
        },
      ],
    };
    await store.conversations.delete('web:c1');
    await store.conversations.put(old as unknown as Envelope, 0);
    expect((await runtime.transcript('web:c1'))?.map((e) => e.from)).toEqual(['bot']);
    const next = await runtime.turn('web:c1', { type: 'action', action: 'plus' }, webCtx);
    expect(next.outcome).toBe('ok');
    expect(said(next.replies)).toBe('Compteur : 1.');
    const transcript = await runtime.transcript('web:c1');
    expect(
      transcript?.map((e) => [e.from, e.text ?? e.replies?.map((r) => r.text).join(' ')]),
    ).toEqual([
      ['bot', 'Ancien accueil.'],
      ['user', 'Ajouter un'],
      ['bot', 'Compteur : 1.'],
    ]);
    expect(await stored(store, 'web:c1')).not.toHaveProperty('transcript');
  });

  it('sets expiry RETENTION_DAYS after the last activity', async () => {
    const at = new Date('2026-03-01T10:00:00Z');
    const store = createMemoryStore({ now: () => at.getTime() });
    const { runtime } = setup(store, { retentionDays: 7, now: () => at });
    await runtime.turn(KEY, { type: 'text', text: 'bonjour' }, telegramCtx);
    const envelope = await stored(store);
    expect(envelope?.updatedAt).toBe(at.getTime());
    expect(envelope?.expiresAt).toBe(at.getTime() + 7 * 86_400_000);
  });
});

describe('runtime: effects', () => {
  it('« oublier mes données » erases every conversation of the user after the turn, and nothing is stored', async () => {
    const store = createMemoryStore();
    const forgotten: unknown[] = [];
    const { runtime } = setup(store, { onForget: (owner) => void forgotten.push(owner) });
    await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    await runtime.turn('telegram:other-thread', { type: 'text', text: 'deux' }, telegramCtx);
    await runtime.turn(
      'telegram:43',
      { type: 'text', text: 'trois' },
      { ...telegramCtx, userRef: '43' },
    );
    const result = await runtime.turn(KEY, { type: 'text', text: 'oublier' }, telegramCtx);
    expect(result.outcome).toBe('forgotten');
    expect(said(result.replies)).toContain('vos données sont effacées');
    expect(await store.conversations.get(KEY)).toBeUndefined();
    expect(await store.conversations.get('telegram:other-thread')).toBeUndefined();
    expect(await store.conversations.get('telegram:43')).toBeDefined();
    expect(forgotten).toEqual([{ channel: 'telegram', userRef: '42' }]);
    // Talking again starts afresh.
    const again = await runtime.turn(KEY, { type: 'text', text: 're' }, telegramCtx);
    expect(said(again.replies)).toBe('Bienvenue (v1).\nCompteur : 1.');
  });

  it('runtime.forget erases a user on demand (web DELETE, /oubli)', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn('web:c1', { type: 'text', text: 'un' }, webCtx);
    expect(await runtime.forget('web', 'conv-abc')).toBe(1);
    expect(await runtime.transcript('web:c1')).toBeUndefined();
  });

  it('other effects reach onEffect once the state is stored, with the town', async () => {
    const store = createMemoryStore();
    const effects: { effect: Effect; revision: number | undefined; town?: string }[] = [];
    const { runtime } = setup(store, {
      onEffect: async (effect, origin) => {
        const current = await store.conversations.get(origin.key);
        effects.push({
          effect,
          revision: current?.revision,
          ...(origin.town ? { town: origin.town } : {}),
        });
      },
    });
    await runtime.turn(KEY, { type: 'start', town: 'Auxerre' }, telegramCtx);
    await runtime.turn(KEY, { type: 'text', text: 'compter' }, telegramCtx);
    expect(effects).toEqual([
      {
        effect: { type: 'observatory-record', record: { level: 2 } },
        revision: 2,
        town: 'Auxerre',
      },
    ]);
  });

  it('a failing effect is logged but the user still gets the answer', async () => {
    const store = createMemoryStore();
    const { runtime, logger } = setup(store, {
      onEffect: () => {
        throw new Error('observatory down');
      },
    });
    const result = await runtime.turn(KEY, { type: 'text', text: 'compter' }, telegramCtx);
    expect(result.outcome).toBe('ok');
    expect(said(result.replies)).toContain('Compteur : 1.');
    expect(logger.lines.some((l) => l.obj.code === 'effect-failed')).toBe(true);
  });
});

describe('runtime: idempotency, metrics, keys, shutdown', () => {
  it('the same clientMessageId twice gives the same replies and advances the dialogue once', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const first = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    const second = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect(second.outcome).toBe('replayed');
    expect(second.replies).toEqual(first.replies);
    expect(((await stored(store, 'web:c1'))?.snapshot as CounterSnapshot | undefined)?.count).toBe(
      1,
    );
    const third = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-2',
    });
    expect(said(third.replies)).toBe('Compteur : 2.');
  });

  it('on the web, a repeat is answered from the transcript: no separate idempotency record is written', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const first = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect((await stored(store, 'web:c1'))?.lastMessageId).toBe('m-1');
    expect(await store.coordination.recall('idem:web:c1:m-1')).toBeUndefined();
    const again = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect(again.outcome).toBe('replayed');
    expect(again.replies).toEqual(first.replies);
    // Only the last message is repeatable: once a newer one was answered, an older id is new.
    await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, { idempotencyKey: 'm-2' });
    const old = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect(old.outcome).toBe('ok');
    expect(said(old.replies)).toBe('Compteur : 3.');
  });

  it('a repeat still finds the record written before message ids moved into the envelope', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const first = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx);
    // What an earlier release left: an envelope without the id, a separate idempotency record.
    await store.coordination.remember('idem:web:c1:m-1', first.replies, 60_000, {
      channel: 'web',
      userRef: webCtx.userRef,
    });
    const again = await runtime.turn('web:c1', { type: 'text', text: 'plus' }, webCtx, {
      idempotencyKey: 'm-1',
    });
    expect(again.outcome).toBe('replayed');
    expect(again.replies).toEqual(first.replies);
    expect(((await stored(store, 'web:c1'))?.snapshot as CounterSnapshot | undefined)?.count).toBe(
      1,
    );
  });

  it('on a channel without a transcript, a repeated id is answered from the idempotency record', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const first = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      idempotencyKey: 'u-7',
    });
    expect((await stored(store))?.lastMessageId).toBeUndefined();
    expect(await store.coordination.recall(`idem:${KEY}:u-7`)).toEqual(first.replies);
    const again = await runtime.turn(KEY, { type: 'text', text: 'plus' }, telegramCtx, {
      idempotencyKey: 'u-7',
    });
    expect(again.outcome).toBe('replayed');
    expect(((await stored(store))?.snapshot as CounterSnapshot | undefined)?.count).toBe(1);
  });

  it('reports every turn to onTurn with its channel, duration and success', async () => {
    const store = createMemoryStore();
    const metrics: { channel: string; ok: boolean; ms: number }[] = [];
    const { runtime } = setup(store, { onTurn: (m) => void metrics.push(m) });
    await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    await runtime.turn(KEY, { type: 'text', text: 'panne' }, telegramCtx);
    expect(metrics.map((m) => [m.channel, m.ok])).toEqual([
      ['telegram', true],
      ['telegram', false],
    ]);
    expect(metrics.every((m) => m.ms >= 0)).toBe(true);
  });

  it('builds, parses and hides keys: the log form never shows the user’s id', () => {
    expect(conversationKey('telegram', '42')).toBe('telegram:42');
    expect(parseKey('slack:T1-C2')).toEqual({ channel: 'slack', id: 'T1-C2' });
    expect(parseKey('fax:1')).toBeUndefined();
    expect(parseKey('web:')).toBeUndefined();
    expect(logKey('telegram:123456789')).toMatch(/^telegram:[0-9a-f]{12}$/);
    expect(logKey('telegram:123456789')).not.toContain('123456789');
  });

  it('a key from another channel than the context is refused kindly', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const result = await runtime.turn('web:c1', { type: 'text', text: 'un' }, telegramCtx);
    expect(result).toMatchObject({ outcome: 'error', code: 'bad-key' });
    expect(said(result.replies)).toBe(FALLBACK_TEXT);
  });

  it('close waits for the turns in flight, then answers later turns with the fallback', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    const inFlight = runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
    await runtime.close();
    expect((await inFlight).outcome).toBe('ok');
    expect(((await stored(store))?.snapshot as CounterSnapshot | undefined)?.count).toBe(1);
    const late = await runtime.turn(KEY, { type: 'text', text: 'deux' }, telegramCtx);
    expect(late).toMatchObject({ outcome: 'error', code: 'closed' });
    expect(said(late.replies)).toBe(FALLBACK_TEXT);
  });
});

describe('runtime: `mustExist` (the widget answers 404 for an unknown conversation)', () => {
  const WEB_KEY = 'web:conv-abc';

  it('on a conversation that does not exist: outcome missing, no reply, nothing created', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    for (const event of [
      { type: 'text', text: 'bonjour' },
      { type: 'action', action: 'plus' },
      { type: 'text', text: '   ' },
    ] as const) {
      const result = await runtime.turn(WEB_KEY, event, webCtx, { mustExist: true });
      expect(result).toEqual({ replies: [], outcome: 'missing' });
    }
    expect(await store.conversations.get(WEB_KEY)).toBeUndefined();
    expect(await runtime.transcript(WEB_KEY)).toBeUndefined();
  });

  it('on a stored conversation: the turn runs as without the option', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn(WEB_KEY, { type: 'start' }, webCtx);
    const result = await runtime.turn(WEB_KEY, { type: 'text', text: 'bonjour' }, webCtx, {
      mustExist: true,
    });
    expect(result.outcome).toBe('ok');
    expect(result.revision).toBe(2);
    const empty = await runtime.turn(WEB_KEY, { type: 'text', text: '   ' }, webCtx, {
      mustExist: true,
    });
    expect(empty.outcome).toBe('rejected');
  });
});

describe('runtime: `isNew` (a conversation id the widget has just drawn)', () => {
  const WEB_KEY = 'web:conv-new';

  it('starts the conversation without reading the store first', async () => {
    const store = createMemoryStore();
    let reads = 0;
    const get = store.conversations.get.bind(store.conversations);
    store.conversations.get = (key) => {
      reads++;
      return get(key);
    };
    const { runtime } = setup(store);
    const result = await runtime.turn(WEB_KEY, { type: 'start' }, webCtx, { isNew: true });
    expect(result.outcome).toBe('ok');
    expect(result.revision).toBe(1);
    expect(reads).toBe(0);
    expect((await get(WEB_KEY))?.revision).toBe(1);
  });

  it('should the key exist after all, nothing is overwritten and the visitor gets the kind fallback', async () => {
    const store = createMemoryStore();
    const { runtime } = setup(store);
    await runtime.turn(WEB_KEY, { type: 'start' }, webCtx);
    await runtime.turn(WEB_KEY, { type: 'action', action: 'plus' }, webCtx);
    const before = await store.conversations.get(WEB_KEY);
    const result = await runtime.turn(WEB_KEY, { type: 'start' }, webCtx, { isNew: true });
    expect(result.outcome).toBe('error');
    expect(result.code).toBe('conflict');
    expect(said(result.replies)).toBe(FALLBACK_TEXT);
    expect(await store.conversations.get(WEB_KEY)).toEqual(before);
  });
});
