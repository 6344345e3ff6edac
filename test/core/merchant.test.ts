import { describe, expect, it } from 'vitest';
import { assessMerchant, type MerchantAnswers } from '../../src/core/index.js';
import {
  ASK_CCI_TEXT,
  findOutText,
  levelExplanationText,
  merchantAdviceText,
  merchantClarificationText,
} from '../../src/dialogue/text/merchant.js';
import { catalog } from './helpers.js';

// SPEC §4 « Merchant level »: P2–P4 ⇒ P1; fort if P3 and P4, moyen if exactly one of P3/P4,
// faible if P1 or P2, très faible otherwise.
const rows: {
  source: string;
  answers: MerchantAnswers;
  met: string[];
  level: string;
  label: string;
}[] = [
  {
    source: 'SPEC §4: nothing met',
    answers: { P1: 'no', P2: 'no', P3: 'no', P4: 'no' },
    met: [],
    level: 'tres-faible',
    label: 'très faible',
  },
  {
    source: 'SPEC §4: P1 → faible',
    answers: { P1: 'yes', P2: 'no', P3: 'no', P4: 'no' },
    met: ['P1'],
    level: 'faible',
    label: 'faible',
  },
  {
    source: 'SPEC §4: P2 ⇒ P1, faible',
    answers: { P1: 'no', P2: 'yes', P3: 'no', P4: 'no' },
    met: ['P1', 'P2'],
    level: 'faible',
    label: 'faible',
  },
  {
    source: 'SPEC §4: exactly P3 → moyen',
    answers: { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'no' },
    met: ['P1', 'P2', 'P3'],
    level: 'moyen',
    label: 'moyen',
  },
  {
    source: 'SPEC §4: exactly P4 → moyen',
    answers: { P4: 'yes' },
    met: ['P1', 'P4'],
    level: 'moyen',
    label: 'moyen',
  },
  {
    source: 'SPEC §4: P3 and P4 → fort',
    answers: { P3: 'yes', P4: 'yes' },
    met: ['P1', 'P3', 'P4'],
    level: 'fort',
    label: 'fort',
  },
  {
    source: 'SPEC §4: P1–P4 → fort',
    answers: { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'yes' },
    met: ['P1', 'P2', 'P3', 'P4'],
    level: 'fort',
    label: 'fort',
  },
];

describe('assessMerchant — level (SPEC §4, rules.yaml levels)', () => {
  it.each(rows)('$source', ({ answers, met, level, label }) => {
    const a = assessMerchant(catalog, answers);
    expect(a.met).toEqual(met);
    expect(a.level).toBe(level);
    expect(a.levelLabel).toBe(label);
    const explanation = levelExplanationText(catalog, a);
    expect(explanation).toContain(`« ${label} »`);
    expect(explanation).toContain('notre lecture des prérequis du guide');
  });
});

describe('assessMerchant — unknown and odd answers', () => {
  it('counts « je ne sais pas » as not met and says how to find out (issue 3)', () => {
    const a = assessMerchant(catalog, { P1: 'yes', P2: 'unknown', P3: 'no', P4: 'unknown' });
    expect(a.level).toBe('faible');
    expect(a.unknown).toEqual(['P2', 'P4']);
    const advice = merchantAdviceText(catalog, a);
    expect(advice).toEqual([findOutText(catalog, 'P2'), findOutText(catalog, 'P4'), ASK_CCI_TEXT]);
    expect(advice.some((x) => x.includes('avoir initié une démarche marketing'))).toBe(true);
    expect(advice.some((x) => x.includes('avoir numérisé ses processus'))).toBe(true);
  });

  it('treats unanswered questions as unknown, with advice for each', () => {
    const a = assessMerchant(catalog, {});
    expect(a.level).toBe('tres-faible');
    expect(a.unknown).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(merchantAdviceText(catalog, a)).toHaveLength(5);
  });

  it('reads « non » to P1 with « oui » to P3 as P1 met, and says so (SPEC §4: P3 ⇒ P1)', () => {
    const a = assessMerchant(catalog, { P1: 'no', P3: 'yes' });
    expect(a.met).toEqual(['P1', 'P3']);
    expect(a.clarifications).toEqual([{ code: 'implied', prereq: 'P1', because: ['P3'] }]);
    expect(merchantClarificationText(catalog, a.clarifications[0]!)).toContain(
      'être sensibilisé aux enjeux du numérique',
    );
  });

  it('reports an unreadable value and counts it as unknown, without throwing', () => {
    const a = assessMerchant(catalog, { P1: 'peut-être', P9: 'yes' } as unknown as MerchantAnswers);
    expect(a.unknown).toContain('P1');
    expect(a.clarifications).toEqual([
      { code: 'unreadable', prereq: 'P1' },
      { code: 'unknown-question', key: 'P9' },
    ]);
  });

  it.each([null, undefined, 42, 'oui', []])('survives a non-object input (%s)', (input) => {
    const a = assessMerchant(catalog, input as unknown as MerchantAnswers);
    expect(a.level).toBe('tres-faible');
  });
});
