/**
 * A town's figures from its merchants' records (SPEC §8, issue 9): nothing below 5 respondents,
 * the guide's maturity questions answered with n, the thresholds of the roadmaps applied (guide
 * p. 39: « Si la part des commerçants actifs sur le web est inférieure à 60 % … » ; p. 40: « Si la
 * part des commerçants avec une gestion informatique des stocks est forte … place de marché …
 * sinon … site vitrine », 50 % by convention), sectors only when no cell is small.
 */
import { describe, expect, it } from 'vitest';
import {
  aggregateTown,
  bilanReplies,
  MIN_RESPONDENTS,
  type TownFigures,
  textBar,
} from '../../src/observatory/index.js';
import { catalog, cohort, rec, textOf } from './helpers.js';

function figures(records: Parameters<typeof aggregateTown>[1]): TownFigures {
  const result = aggregateTown(catalog, records);
  if (result.status !== 'figures') throw new Error('expected figures');
  return result;
}

describe('nothing is shown below 5 respondents', () => {
  it('4 merchants: no figure at all, not even how many answered', () => {
    const result = aggregateTown(catalog, cohort(4, 4, 'P3'));
    expect(result.status).toBe('too-few');
    const json = JSON.stringify(result);
    expect(json).not.toMatch(/\b4\b/);
    expect(json).not.toContain('%');
    expect(json).not.toMatch(/share|respondents|measures/);
    const shown = textOf(bilanReplies(result));
    expect(shown).toContain('à partir de 5 commerçants');
    expect(shown).not.toMatch(/\d+ ?%/);
  });

  it('5 merchants: the figures, each with n', () => {
    expect(MIN_RESPONDENTS).toBe(5);
    const result = figures(cohort(5, 3, 'P3'));
    expect(result.respondents).toBe(5);
    const web = result.measures.find((m) => m.prereq === 'P3');
    expect(web).toMatchObject({ count: 3, share: 60, shareText: '60 %' });
    const shown = textOf(bilanReplies(result));
    expect(shown).toContain('5 commerçants de Sens ont fait l’autodiagnostic en mars 2026');
    expect(shown).toContain('▓▓▓▓▓▓░░░░ 60 % part des commerçants présents sur le web (3 sur 5)');
  });

  it('no record at all reads like « fewer than 5 » (zero is a count too)', () => {
    expect(textOf(bilanReplies(undefined, 'Sens'))).toBe(
      textOf(bilanReplies(aggregateTown(catalog, cohort(2, 1, 'P3')))),
    );
  });
});

describe('the guide’s maturity questions, in its words, with their approximations said', () => {
  const result = figures([
    rec({ answers: 'nnyn' }), // P3 alone still means P1 (rules.implies, our reading)
    rec({ answers: 'ynnn' }),
    rec({ answers: 'unnn' }),
    rec({ answers: 'nnnn' }),
    rec({ answers: 'yyyy' }),
  ]);

  it('P1–P4 become shares: P3 « présents sur le web », P4 « processus numérisés »', () => {
    const by = Object.fromEntries(result.measures.map((m) => [m.prereq, m]));
    expect(by.P1).toMatchObject({ count: 3, unknown: 1, share: 60 });
    expect(by.P3?.label).toBe('part des commerçants présents sur le web');
    expect(by.P3?.guideQuestion).toContain('Google Address');
    expect(by.P4?.guideQuestion).toBe(
      'Part des commerçants ayant une gestion des stocks informatisée ?',
    );
    expect(by.P4?.share).toBe(20);
    // Each row that is not exactly the guide's question says so.
    for (const m of result.measures) expect(m.approximation).toBeTruthy();
  });

  it('levels add up to n', () => {
    expect(result.levels.reduce((s, l) => s + l.count, 0)).toBe(5);
    expect(result.levels.find((l) => l.level === 'fort')?.count).toBe(1);
  });
});

describe('the guide’s thresholds, always with n', () => {
  it('59 % present on the web (13 of 22): individuel « à renforcer », training first', () => {
    const result = figures(cohort(22, 13, 'P3'));
    expect(result.bilans.individuel).toMatchObject({
      share: 59.1,
      threshold: 60,
      validated: false,
    });
    expect(result.bilans.individuel.text).toContain('59,1 % des 22 commerçants');
    expect(result.bilans.individuel.text).toContain('insuffisamment gérée');
    expect(result.bilans.collectif.path).toBeUndefined();
    expect(result.bilans.collectif.text).toContain('pas encore');
  });

  it('60 % present on the web (12 of 20): individuel validated', () => {
    const result = figures(cohort(20, 12, 'P3'));
    expect(result.bilans.individuel).toMatchObject({ share: 60, validated: true });
    expect(result.bilans.individuel.text).toContain('validé');
    expect(result.bilans.individuel.text).toContain('des 20 commerçants');
  });

  it('web validated: computerised processes ≥ 50 % (convention) → place de marché, else site vitrine', () => {
    const make = (withP4: number) =>
      figures(
        Array.from({ length: 10 }, (_, i) => rec({ answers: `yny${i < withP4 ? 'y' : 'n'}` })),
      );
    const high = make(5);
    expect(high.bilans.collectif).toMatchObject({
      share: 50,
      path: 'place-de-marche',
      convention: true,
    });
    expect(high.bilans.collectif.text).toContain('retenu par convention');
    const low = make(4);
    expect(low.bilans.collectif).toMatchObject({ share: 40, path: 'site-vitrine' });
    expect(low.bilans.collectif.text).toContain('site « vitrine »');
  });
});

describe('per sector only when every shown cell has at least 5', () => {
  it('5 + 5: both sectors shown', () => {
    const result = figures([
      ...cohort(5, 5, 'P3', { sector: 'alimentaire' }),
      ...cohort(5, 0, 'P3', { sector: 'services' }),
    ]);
    expect(result.sectors.shown).toBe(true);
    if (!result.sectors.shown) return;
    expect(result.sectors.cells.map((c) => [c.label, c.respondents])).toEqual([
      ['Services', 5],
      ['Alimentaire', 5],
    ]);
  });

  it('6 + 2: hidden, or the 2 could be read by difference with the town’s figures', () => {
    const result = figures([
      ...cohort(6, 3, 'P3', { sector: 'alimentaire' }),
      ...cohort(2, 2, 'P3', { sector: 'services' }),
    ]);
    expect(result.sectors.shown).toBe(false);
    expect(textOf(bilanReplies(result))).toContain('moins de 5 commerçants : il n’est pas montré');
  });

  it('small sectors together make an « autres » cell when it reaches 5', () => {
    const result = figures([
      ...cohort(5, 3, 'P3', { sector: 'alimentaire' }),
      ...cohort(3, 1, 'P3', { sector: 'services' }),
      ...cohort(2, 1, 'P3', { sector: null }),
    ]);
    expect(result.sectors.shown && result.sectors.cells.map((c) => c.respondents)).toEqual([5, 5]);
  });
});

describe('text bars', () => {
  it.each([
    [0, '░░░░░░░░░░'],
    [57, '▓▓▓▓▓▓░░░░'],
    [55, '▓▓▓▓▓▓░░░░'],
    [54, '▓▓▓▓▓░░░░░'],
    [100, '▓▓▓▓▓▓▓▓▓▓'],
  ])('%s %% → %s', (share, bar) => {
    expect(textBar(share)).toBe(bar);
  });
});
