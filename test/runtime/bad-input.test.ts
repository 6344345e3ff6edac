/**
 * Bad input (issue 5, « Bad input »): empty text, 10 000 characters, emoji only, control
 * characters, a malformed action id, an engine or a store that throws → a kind French answer,
 * the stored state unchanged, no exception out of `turn`, nothing the user wrote in the logs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BAD_ACTION_TEXT,
  EMPTY_TEXT,
  FALLBACK_TEXT,
  NO_WORDS_TEXT,
  TOO_LONG_TEXT,
} from '../../src/runtime/messages.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { Envelope } from '../../src/storage/envelope.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import type { Store } from '../../src/storage/types.js';
import type { CounterSnapshot } from './fake-engine.js';
import { type createRecordingLogger, said, setup, telegramCtx } from './helpers.js';

const KEY = 'telegram:42';

let store: Store;
let runtime: Runtime;
let logger: ReturnType<typeof createRecordingLogger>;

async function state() {
  const record = await store.conversations.get(KEY);
  return { revision: record?.revision, data: JSON.stringify(record?.data) };
}

beforeEach(async () => {
  store = createMemoryStore();
  ({ runtime, logger } = setup(store));
  await runtime.turn(KEY, { type: 'text', text: 'un' }, telegramCtx);
  await runtime.turn(KEY, { type: 'text', text: 'deux' }, telegramCtx);
});

describe('bad input gets a kind French answer and leaves the conversation as it was', () => {
  const cases: [string, string, string][] = [
    ['empty text', '', EMPTY_TEXT],
    ['only spaces and line breaks', '   \n\t  ', EMPTY_TEXT],
    ['only control characters', '\u0000\u0007\u001b\u007f', EMPTY_TEXT],
    ['10 000 characters', 'a'.repeat(10_000), TOO_LONG_TEXT],
    ['1 001 characters after trimming', ` ${'é'.repeat(1001)} `, TOO_LONG_TEXT],
    ['emoji only', '👍🎉🏪', NO_WORDS_TEXT],
    ['a family emoji with joiners', '👨‍👩‍👧', NO_WORDS_TEXT],
  ];
  for (const [name, input, expected] of cases) {
    it(name, async () => {
      const before = await state();
      const result = await runtime.turn(KEY, { type: 'text', text: input }, telegramCtx);
      expect(result.outcome).toBe('rejected');
      expect(said(result.replies)).toBe(expected);
      expect(await state()).toEqual(before);
    });
  }

  it('1 000 characters exactly are accepted', async () => {
    const result = await runtime.turn(KEY, { type: 'text', text: 'é'.repeat(1000) }, telegramCtx);
    expect(result.outcome).toBe('ok');
  });

  it('control characters inside a real message are stripped before the dialogue sees it', async () => {
    const result = await runtime.turn(
      KEY,
      { type: 'text', text: '\u0000 vendre\u0007 en\u202e ligne\u001b \r\n' },
      telegramCtx,
    );
    expect(result.outcome).toBe('ok');
    const record = await store.conversations.get(KEY);
    const snapshot = (record?.data as { snapshot: CounterSnapshot } | undefined)?.snapshot;
    expect(snapshot?.seen.at(-1)).toBe('vendre en ligne');
  });

  it('an action id no dialogue could send (spaces, accents, too long) is refused kindly', async () => {
    for (const action of ['menu principal', 'étape', 'x'.repeat(49), '']) {
      const before = await state();
      const result = await runtime.turn(KEY, { type: 'action', action }, telegramCtx);
      expect(said(result.replies)).toBe(BAD_ACTION_TEXT);
      expect(await state()).toEqual(before);
    }
  });

  it('an event of unknown shape from a careless adapter is answered, not thrown', async () => {
    const before = await state();
    const result = await runtime.turn(KEY, { type: 'photo' } as never, telegramCtx);
    expect(result.outcome).toBe('rejected');
    expect(await state()).toEqual(before);
  });
});

describe('one error boundary per turn', () => {
  it('an engine that throws: the fallback, the state unchanged, a log line with a code and no user data', async () => {
    const before = await state();
    const result = await runtime.turn(KEY, { type: 'text', text: 'panne' }, telegramCtx);
    expect(result).toMatchObject({ outcome: 'error', code: 'engine-failed' });
    expect(said(result.replies)).toBe(FALLBACK_TEXT);
    expect(await state()).toEqual(before);
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line?.obj).toMatchObject({ code: 'engine-failed', channel: 'telegram' });
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain('panne');
    expect(logged).not.toContain('42');
    expect(logged).not.toContain('exploded');
    // The conversation goes on afterwards.
    const next = await runtime.turn(KEY, { type: 'text', text: 'trois' }, telegramCtx);
    expect(said(next.replies)).toBe('Compteur : 3.');
  });

  it('a store that fails on write: the fallback, and the turn can be retried', async () => {
    const failing: Store = {
      ...store,
      conversations: {
        ...store.conversations,
        put: async () => {
          throw new Error('disk full');
        },
      },
    };
    const broken = setup(failing).runtime;
    const before = await state();
    const result = await broken.turn(KEY, { type: 'text', text: 'trois' }, telegramCtx);
    expect(result).toMatchObject({ outcome: 'error', code: 'persist-failed' });
    expect(said(result.replies)).toBe(FALLBACK_TEXT);
    expect(await state()).toEqual(before);
  });

  it('a store that fails on read: the fallback', async () => {
    const failing: Store = {
      ...store,
      conversations: {
        ...store.conversations,
        get: async () => {
          throw new Error('I/O error');
        },
      },
    };
    const result = await setup(failing).runtime.turn(
      KEY,
      { type: 'text', text: 'trois' },
      telegramCtx,
    );
    expect(result).toMatchObject({ outcome: 'error', code: 'load-failed' });
  });

  it('a lost compare-and-set (someone wrote meanwhile) is not overwritten: the fallback', async () => {
    const racing: Store = {
      ...store,
      conversations: { ...store.conversations, put: async () => false },
    };
    const before = await state();
    const result = await setup(racing).runtime.turn(
      KEY,
      { type: 'text', text: 'trois' },
      telegramCtx,
    );
    expect(result).toMatchObject({ outcome: 'error', code: 'conflict' });
    expect(await state()).toEqual(before);
  });

  it('a conversation locked for too long (a stuck turn): the fallback after the wait', async () => {
    const quick = setup(store, { lockWaitMs: 50 }).runtime;
    const release = await store.coordination.lock(KEY, 5000, 100);
    const result = await quick.turn(KEY, { type: 'text', text: 'trois' }, telegramCtx);
    await release();
    expect(result).toMatchObject({ outcome: 'error', code: 'lock-timeout' });
    expect(said(result.replies)).toBe(FALLBACK_TEXT);
  });

  it('a snapshot the engine cannot read: the fallback, never a crash', async () => {
    const record = await store.conversations.get(KEY);
    const data = record?.data as Envelope;
    await store.conversations.put({ ...data, revision: 3, snapshot: 'not a counter' }, 2);
    const result = await runtime.turn(KEY, { type: 'text', text: 'trois' }, telegramCtx);
    expect(result).toMatchObject({ outcome: 'error', code: 'engine-failed' });
    expect((await store.conversations.get(KEY))?.revision).toBe(3);
  });
});
