/**
 * A first message on a new conversation is answered after the welcome; when the answer shows the
 * welcome again (« aide », « menu »), the person reads it once — on every channel, since this is
 * the runtime's turn.
 */
import { describe, expect, it } from 'vitest';
import { createDialogueEngine } from '../../src/dialogue/index.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { createMemoryStore } from '../../src/storage/memory.js';

const ctx = { channel: 'telegram' as const, userRef: '7', now: new Date() };

async function firstTurn(text: string) {
  const store = createMemoryStore();
  const runtime = createRuntime({
    engine: createDialogueEngine(),
    store,
    logger: createLogger({ level: 'silent' }),
  });
  const welcome = await runtime.turn('telegram:welcome', { type: 'start' }, ctx);
  const result = await runtime.turn('telegram:7', { type: 'text', text }, ctx);
  await runtime.close();
  await store.close();
  const said = result.replies.map((r) => r.text).join('\n');
  return { said, welcome: welcome.replies.map((r) => r.text).join('\n') };
}

describe('the first message of a conversation', () => {
  it('« aide » first: the help, with the welcome once', async () => {
    const { said, welcome } = await firstTurn('aide');
    expect(said.split(welcome)).toHaveLength(2);
    expect(said.length).toBeGreaterThan(welcome.length);
  });

  it('a need first: the welcome, then the answer (nothing dropped)', async () => {
    const { said, welcome } = await firstTurn('je veux vendre en ligne');
    expect(said.startsWith(welcome)).toBe(true);
    expect(said.length).toBeGreaterThan(welcome.length);
  });
});
