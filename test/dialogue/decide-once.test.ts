/**
 * Decide once, present after (issue 17): in a turn that shows a result, the flows ask the core
 * for the decision once, when they emit the result's intent — the presenters and the closing
 * buttons share it — and neither rendering nor the presenters call the core's rules themselves.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ merchant: 0, territory: 0 }));

vi.mock('../../src/core/index.js', async (importOriginal) => {
  const core = await importOriginal<typeof import('../../src/core/index.js')>();
  return {
    ...core,
    merchantAdvice: (...args: Parameters<typeof core.merchantAdvice>) => {
      calls.merchant += 1;
      return core.merchantAdvice(...args);
    },
    territoryAssessment: (...args: Parameters<typeof core.territoryAssessment>) => {
      calls.territory += 1;
      return core.territoryAssessment(...args);
    },
  };
});

const { getCatalog } = await import('../../catalog/load.js');
const { createDialogueEngine } = await import('../../src/dialogue/engine.js');
const { clicMachine } = await import('../../flows/clic-machine.js');
const core = await import('../../src/core/index.js');
const { createActor } = await import('xstate');
type StepResult = import('../../src/runtime/types.js').StepResult;
type Intent = import('../../flows/types.js').Intent;

const engine = createDialogueEngine({ catalog: getCatalog() });
const ctx = { channel: 'console', userRef: 'once', now: new Date('2026-03-15') } as const;

/** Plays the texts; the calls made while rendering the last one, and its replies. */
function lastTurn(entry: string, texts: readonly string[]) {
  let result: StepResult = engine.start({ type: 'start', entry }, ctx);
  for (const [i, text] of texts.entries()) {
    if (i === texts.length - 1) {
      calls.merchant = 0;
      calls.territory = 0;
    }
    result = engine.step(result.snapshot, { type: 'text', text }, ctx);
  }
  return { ...calls, text: result.replies.map((r) => r.text).join('\n') };
}

beforeEach(() => {
  calls.merchant = 0;
  calls.territory = 0;
});

describe('one decision per turn', () => {
  it('the merchant result: one merchant decision for the result and its closing buttons', () => {
    const turn = lastTurn('diagnostic-commercant', [
      'Boulangerie',
      'oui',
      'non',
      'oui',
      'non',
      'passer',
    ]);
    expect(turn.text).toContain('Votre niveau numérique estimé');
    expect(turn.text).toContain('Votre première étape');
    expect(turn.merchant).toBe(1);
    expect(turn.territory).toBe(0);
  });

  it('the individuel bilan: one territory decision', () => {
    const turn = lastTurn('diagnostic-territoire', ['80', '45', '30']);
    expect(turn.text).toContain('Bilan « commerçant individuel »');
    expect(turn.territory).toBe(1);
    expect(turn.merchant).toBe(0);
  });

  it('the territory summary: one territory decision', () => {
    const turn = lastTurn('diagnostic-territoire', [
      '80',
      '45',
      '30',
      'centre-ville',
      'non',
      'non',
      'oui',
      'non',
      'Bretagne',
    ]);
    expect(turn.text).toContain('Votre diagnostic en bref');
    expect(turn.territory).toBe(1);
  });

  it('a fiche shown again after « aide »: one merchant decision for its « pourquoi »', () => {
    const again = lastTurn('fiche-stationnement-intelligent', ['aide']);
    expect(again.text).toContain('Stationnement intelligent');
    expect([again.merchant, again.territory]).toEqual([1, 0]);
  });
});

describe('the decisions travel in the intents, not in the stored context', () => {
  it('the merchant result and the « done » below it carry one advice; the snapshot keeps none', () => {
    let result: StepResult = engine.start({ type: 'start', entry: 'diagnostic-commercant' }, ctx);
    for (const text of ['Boulangerie', 'oui', 'non', 'oui', 'non'])
      result = engine.step(result.snapshot, { type: 'text', text }, ctx);
    const actor = createActor(clicMachine, {
      snapshot: result.snapshot as never,
      input: undefined,
    }).start();
    const intents: Intent[] = [];
    actor.on('*', (e) => intents.push(e as Intent));
    const { prompt, sector } = actor.getSnapshot().context;
    expect(prompt.kind === 'question' && prompt.question).toBe('town');
    const seq = prompt.kind === 'question' ? prompt.seq : -1;
    actor.send({ type: 'ACTION', action: { kind: 'answer', value: 'skip', seq } });
    const persisted = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();
    const merchant = intents.find((i) => i.type === 'merchant-result');
    const done = intents.find((i) => i.type === 'prompt' && i.prompt.kind === 'done');
    const expected = core.merchantAdvice(
      getCatalog(),
      { P1: 'yes', P2: 'no', P3: 'yes', P4: 'no' },
      { audience: 'commercant', ...(sector ? { sector } : {}) },
    );
    expect(merchant?.type === 'merchant-result' && merchant.advice).toEqual(expected);
    expect(done?.type === 'prompt' && done.advice).toBe(
      merchant?.type === 'merchant-result' && merchant.advice,
    );
    expect(persisted).not.toContain('recommendation');
    expect(persisted).not.toContain('"advice"');
  });
});

describe('presenters only word', () => {
  it.each([
    'render.ts',
    'present-merchant.ts',
    'present-territory.ts',
    'present-fiche.ts',
    'present-common.ts',
  ])('%s calls no rule of the core', (file) => {
    const source = readFileSync(new URL(`../../src/dialogue/${file}`, import.meta.url), 'utf8');
    for (const rule of [
      'recommend(',
      'assessMerchant(',
      'assessTerritory(',
      'collectifOpen(',
      'merchantAdvice(',
      'territoryAssessment(',
    ])
      expect(source).not.toContain(rule);
  });
});
