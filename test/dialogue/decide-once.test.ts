/**
 * Decide once, present after (issue 17): in a turn that shows a result, rendering asks the core
 * for the decision once — the presenters and the closing buttons share it — and the presenters
 * never call the core's rules themselves.
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
type StepResult = import('../../src/runtime/types.js').StepResult;

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
});

describe('presenters only word', () => {
  it.each(['present-merchant.ts', 'present-territory.ts', 'present-fiche.ts', 'present-common.ts'])(
    '%s calls no rule of the core',
    (file) => {
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
    },
  );
});
