/**
 * Merchant advice per level (issue 16, SPEC §4): what a merchant can carry out himself comes
 * first, highest accessible level first; the commune's fiches are kept apart (« à proposer à
 * votre mairie »); the first step is the fiche that builds the prerequisite unlocking the next
 * level. One table per level, with and without an objective.
 */

import { describe, expect, it } from 'vitest';
import {
  assessMerchant,
  type MerchantAnswers,
  type ObjectiveId,
  type RecommendationItem,
  recommend,
} from '../../src/core/index.js';
import { reasonText } from '../../src/dialogue/text/recommend.js';
import { catalog, fiche } from './helpers.js';

const LEVELS: Record<string, MerchantAnswers> = {
  'très faible': { P1: 'no', P2: 'no', P3: 'no', P4: 'no' },
  faible: { P1: 'yes', P2: 'no', P3: 'no', P4: 'no' },
  moyen: { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'no' },
  fort: { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'yes' },
};

/** What the merchant result shows: his first fiches, the town's apart, the first step. */
function advice(level: string, objective?: ObjectiveId) {
  const merchant = assessMerchant(catalog, LEVELS[level]!);
  const r = recommend(catalog, {
    audience: 'commercant',
    merchant,
    ...(objective ? { objective } : {}),
  });
  const own = r.items.filter((i) => i.role !== 'town');
  const num = (items: RecommendationItem[]) => items.map((i) => i.fiche.number);
  return {
    level: merchant.levelLabel,
    shownFirst: num(own.filter((i) => i.accessible)).slice(0, 3),
    mairie: num(r.items.filter((i) => i.role === 'town')),
    firstStep: r.firstStep?.fiche.number,
    firstReason: r.firstStep ? reasonText(catalog, r.firstStep) : '',
    r,
  };
}

describe('merchant advice per level, no objective chosen', () => {
  it.each([
    // level, shown first (own, accessible, best first), à proposer à la mairie, first step
    ['très faible', [1], [5, 7, 8, 4], 1],
    ['faible', [11, 10, 2], [5, 7, 8, 4], 2],
    ['moyen', [11, 9, 10], [5, 7, 8, 4], 11],
    ['fort', [13, 12, 14], [5, 7, 8, 4], 13],
  ])('%s → shown first %j, mairie %j, first step fiche %i', (level, shown, mairie, first) => {
    const a = advice(level);
    expect(a.level).toBe(level);
    expect(a.shownFirst).toEqual(shown);
    expect(a.mairie).toEqual(mairie);
    expect(a.firstStep).toBe(first);
    // The commune's fiches are never the merchant's first step, nor among his own fiches.
    expect(a.r.firstStep?.role).not.toBe('town');
    for (const n of mairie) expect(fiche(n).types).toContain('centre-ville');
  });

  it('only a « très faible » merchant is sent to training first', () => {
    for (const level of ['faible', 'moyen', 'fort'])
      expect(advice(level).firstStep).not.toBe(fiche(1).number);
  });

  it('the first step names the prerequisite it brings and the level it unlocks', () => {
    expect(advice('très faible').firstReason).toContain('« faible »');
    expect(advice('faible').firstReason).toContain('avoir une présence active en ligne');
    expect(advice('faible').firstReason).toContain('« moyen »');
    expect(advice('moyen').firstReason).toContain('avoir numérisé ses processus');
    expect(advice('moyen').firstReason).toContain('« fort »');
    // At the top level there is nothing to unlock: his best fiche, with its reason.
    expect(advice('fort').firstReason).toMatch(/^Accessible : /);
  });

  it('a « fort » merchant sees online sales, réservation and place de marché first', () => {
    const a = advice('fort');
    expect(a.shownFirst.sort()).toEqual([12, 13, 14]);
    expect(a.r.items.slice(0, 3).every((i) => i.fiche.maturity === 'fort')).toBe(true);
  });
});

describe('merchant advice per level, with an objective', () => {
  it.each([
    // level, objective, shown first, mairie, first step
    ['très faible', 'o5', [], [], 1],
    ['très faible', 'o3', [], [5, 7, 8], 1],
    ['faible', 'o5', [], [], 2],
    ['faible', 'o4', [11, 10], [], 11],
    ['faible', 'o2', [2, 3], [4], 2],
    ['moyen', 'o5', [], [], 11],
    ['moyen', 'o3', [6], [5, 7, 8], 6],
    ['fort', 'o5', [13, 12, 14], [], 13],
    ['fort', 'o4', [11, 9, 10], [], 11],
  ] as const)(
    '%s, objective %s → shown first %j, mairie %j, first step fiche %i',
    (level, o, shown, mairie, first) => {
      const a = advice(level, o);
      expect(a.shownFirst).toEqual(shown);
      expect(a.mairie).toEqual(mairie);
      expect(a.firstStep).toBe(first);
    },
  );
});

describe('fiches 9 to 11 with only P1 answered yes (guide: « être sensibilisé aux enjeux du numérique »)', () => {
  const merchant = assessMerchant(catalog, { P1: 'yes' });
  const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o4' });
  const byNumber = (n: number) => r.items.find((i) => i.fiche.number === n)!;

  it('never says a prerequisite is missing: P1 is the guide’s only one for them', () => {
    for (const n of [9, 10, 11]) {
      expect(fiche(n).prerequisites.merchant).toEqual(['P1']);
      expect(byNumber(n).missing).toEqual([]);
      expect(reasonText(catalog, byNumber(n))).not.toContain('il vous manque');
      expect(reasonText(catalog, byNumber(n))).not.toContain('présence active en ligne');
    }
  });

  it('10 and 11 are accessible (they digitise his processes, which brings the level they ask); 9 waits for the level, said as our reading', () => {
    expect(byNumber(10).accessible).toBe(true);
    expect(byNumber(11).accessible).toBe(true);
    expect(reasonText(catalog, byNumber(10))).toContain('vous êtes sensibilisé');
    expect(byNumber(9).accessible).toBe(false);
    expect(byNumber(9).why).toEqual({ code: 'level', need: 'moyen', have: 'faible' });
    expect(reasonText(catalog, byNumber(9))).toContain('notre lecture');
  });
});
