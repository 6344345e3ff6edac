import { describe, expect, it } from 'vitest';
import {
  assessMerchant,
  assessTerritory,
  type MerchantAnswers,
  type RecommendationItem,
  recommend,
  type TerritoryAssessment,
} from '../../src/core/index.js';
import { noteText, RUN_BY_TOWN_PREFIX, reasonText } from '../../src/dialogue/text/recommend.js';
import { decisionText } from '../../src/dialogue/text/territory.js';
import { catalog, fiche, id, numbers } from './helpers.js';

const nothing: MerchantAnswers = { P1: 'no', P2: 'no', P3: 'no', P4: 'no' };
const p1Only: MerchantAnswers = { P1: 'yes', P2: 'no', P3: 'no', P4: 'no' };
const all: MerchantAnswers = { P1: 'yes', P2: 'yes', P3: 'yes', P4: 'yes' };
const nums = (items: RecommendationItem[]) => numbers(items.map((i) => i.fiche.id));
const item = (items: RecommendationItem[], n: number) => items.find((i) => i.fiche.number === n)!;

function territory(rs: number, fg: number): TerritoryAssessment {
  const r = assessTerritory(catalog, { individuel: { 'reseaux-sociaux': rs, 'fiche-google': fg } });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('merchant recommendations (SPEC §4: accessibility, missing prerequisites, builders)', () => {
  it('a merchant with nothing → très faible, fiche 1 first', () => {
    const merchant = assessMerchant(catalog, nothing);
    expect(merchant.level).toBe('tres-faible');
    const r = recommend(catalog, { audience: 'commercant', merchant });
    expect(r.items).toHaveLength(14);
    expect(nums(r.items)[0]).toBe(1);
    expect(r.items[0]!.accessible).toBe(true);
    expect(r.firstStep?.fiche.number).toBe(1);
    expect(r.items.filter((i) => i.accessible).map((i) => i.fiche.number)).toEqual([1]);
  });

  it('très faible asking o5 → 12–14 for later, first step = formation en ligne (fiche 1, another objective)', () => {
    const merchant = assessMerchant(catalog, nothing);
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o5' });
    expect(nums(r.items).sort()).toEqual([12, 13, 14]);
    expect(r.items.every((i) => !i.accessible)).toBe(true);
    expect(r.firstStep?.fiche.id).toBe(id(1));
    expect(reasonText(catalog, r.firstStep!)).toContain('être sensibilisé aux enjeux du numérique');
  });

  it("P1 only asking o5 → 12–14 for later: 13, 14 lack the guide's own P2–P4 (path 2 or 3, 2, 10 or 11); 12 only the level", () => {
    const merchant = assessMerchant(catalog, p1Only);
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o5' });
    expect(r.items.every((i) => !i.accessible)).toBe(true);
    for (const n of [13, 14]) {
      const path = Object.fromEntries(
        item(r.items, n).missing.map((m) => [m.prereq, numbers(m.builders)]),
      );
      expect(path).toEqual({ P2: [2, 3], P3: [2], P4: [10, 11] });
      expect(item(r.items, n).why).toEqual({ code: 'missing', missing: ['P2', 'P3', 'P4'] });
    }
    // Fiche 12 asks the guide's P1 only, which he has: what is short is the level (our reading).
    const twelve = item(r.items, 12);
    expect(twelve.missing).toEqual([]);
    expect(twelve.why).toEqual({ code: 'level', need: 'fort', have: 'faible' });
    expect(reasonText(catalog, twelve)).not.toContain('il vous manque');
    expect(reasonText(catalog, twelve)).toContain('notre lecture');
    const reason13 = reasonText(catalog, item(r.items, 13));
    expect(reason13).toContain('Pour plus tard');
    expect(reason13).toContain('avoir une présence active en ligne');
    // Fiche 2 gives the online presence that unlocks the next level.
    expect(r.firstStep?.fiche.id).toBe(id(2));
    expect(reasonText(catalog, r.firstStep!)).toContain('« moyen »');
  });

  it('P1–P4 all yes → 12–14 accessible now, with the reason in words', () => {
    const merchant = assessMerchant(catalog, all);
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o5' });
    expect(r.items.map((i) => i.accessible)).toEqual([true, true, true]);
    expect(r.items.every((i) => reasonText(catalog, i).startsWith('Accessible : '))).toBe(true);
    expect(reasonText(catalog, item(r.items, 13))).toContain(
      'vous avez une présence active en ligne',
    );
    expect(r.firstStep).toBe(r.items[0]);
  });

  it('unknown answers mark the missing prerequisite « à vérifier »', () => {
    const merchant = assessMerchant(catalog, { P1: 'yes', P2: 'yes', P3: 'unknown', P4: 'no' });
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o5' });
    const thirteen = item(r.items, 13);
    expect(thirteen.accessible).toBe(false);
    expect(thirteen.missing.find((m) => m.prereq === 'P3')?.unknown).toBe(true);
    expect(reasonText(catalog, thirteen)).toContain('(à vérifier)');
  });

  it('ranks accessible first, then lower maturity (o2 for a P1+P2 merchant)', () => {
    const merchant = assessMerchant(catalog, { P1: 'yes', P2: 'yes', P3: 'no', P4: 'no' });
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o2' });
    expect(r.items.every((i) => i.accessible)).toBe(true);
    expect(nums(r.items).sort()).toEqual([2, 3, 4]);
  });
});

describe('centre-ville fiches for a merchant are run by the town (SPEC §4)', () => {
  it('o3 for a merchant: fiches 5, 7, 8 framed as run by the town, with what the merchant can do', () => {
    const merchant = assessMerchant(catalog, p1Only);
    const r = recommend(catalog, { audience: 'commercant', merchant, objective: 'o3' });
    for (const n of [5, 7, 8]) {
      const it = item(r.items, n);
      expect(it.role).toBe('town');
      expect(it.runByTown?.merchantCan).toEqual([...fiche(n).resources.merchant]);
      expect(reasonText(catalog, it).startsWith(RUN_BY_TOWN_PREFIX)).toBe(true);
    }
    // Fiche 6 is also « individuelle »: a merchant can run it.
    expect(item(r.items, 6).runByTown).toBeUndefined();
  });

  it('the same fiches for a collectivité are not framed that way', () => {
    const r = recommend(catalog, { audience: 'collectivite', objective: 'o3' });
    expect(r.items.some((i) => i.runByTown)).toBe(false);
    // A reason in words: the impact that matters to a town, then the level.
    expect(
      r.items.every((i) =>
        /^Pour son impact « .+ » \(\+{1,3} dans le guide\) ; maturité numérique requise/.test(
          reasonText(catalog, i),
        ),
      ),
    ).toBe(true);
  });
});

describe('the order rule with a territory (guide p.42; individuel p.39)', () => {
  it('web-active 45 % → fiches 1–3 first even with objective o5, no fort fiche first, reason quotes the guide', () => {
    const r = recommend(catalog, {
      audience: 'collectivite',
      objective: 'o5',
      territory: territory(45, 30),
    });
    expect(nums(r.items).slice(0, 3)).toEqual([1, 2, 3]);
    expect(r.items[0]!.fiche.maturity).not.toBe('fort');
    expect(r.firstStep?.fiche.number).toBe(1);
    for (const n of [12, 13, 14]) {
      expect(item(r.items, n).postponed).toBe(true);
      const decision = item(r.items, n).territory;
      expect(decision?.reasons).toEqual([{ code: 'order-rule', kind: 'blocked' }]);
      expect(decisionText(catalog, decision!)).toContain('moteurs de recherche');
    }
    expect(r.notes).toContainEqual({ code: 'order-rule' });
    expect(r.notes.map((n) => noteText(catalog, n)).join(' ')).toContain(
      catalog.rules.orderRule.reason,
    );
  });

  it('web-active 75 % → o5 fiches may come first', () => {
    const r = recommend(catalog, {
      audience: 'collectivite',
      objective: 'o5',
      territory: territory(75, 75),
    });
    expect(nums(r.items).sort()).toEqual([12, 13, 14]);
    expect(r.items.some((i) => i.postponed)).toBe(false);
  });

  it('a fort merchant in an insufficient territory still does not get a fort fiche first', () => {
    const merchant = assessMerchant(catalog, all);
    const r = recommend(catalog, {
      audience: 'commercant',
      merchant,
      objective: 'o5',
      territory: territory(20, 20),
    });
    expect(r.items[0]!.fiche.maturity).not.toBe('fort');
  });
});

describe('bad requests → typed errors, never an exception', () => {
  it.each([
    {
      source: 'unknown objective',
      req: { audience: 'commercant', objective: 'o7' },
      code: 'UNKNOWN_OBJECTIVE',
    },
    { source: 'unknown audience', req: { audience: 'touriste' }, code: 'UNKNOWN_AUDIENCE' },
    {
      source: 'merchant not an assessment',
      req: { audience: 'commercant', merchant: 'fort' },
      code: 'INVALID_INPUT',
    },
    {
      source: 'territory not an assessment',
      req: { audience: 'collectivite', territory: 45 },
      code: 'INVALID_INPUT',
    },
    { source: 'no request', req: null, code: 'INVALID_INPUT' },
  ])('$source → $code', ({ req, code }) => {
    const r = recommend(catalog, req as never);
    expect(r.error?.code).toBe(code);
    expect(r.items).toEqual([]);
  });

  it('an unknown sector is noted, not fatal', () => {
    const r = recommend(catalog, { audience: 'commercant', sector: 'astronautique' });
    expect(r.error).toBeUndefined();
    expect(r.items).toHaveLength(14);
    expect(r.notes).toEqual([{ code: 'unknown-sector' }]);
    expect(noteText(catalog, r.notes[0]!)).toContain('Secteur');
  });
});
