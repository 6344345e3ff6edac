import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Answer,
  assessMerchant,
  assessTerritory,
  type MerchantAnswers,
  type RecommendationRequest,
  recommend,
  type TerritoryAnswers,
} from '../../src/core/index.js';
import { reasonText } from '../../src/dialogue/text/recommend.js';
import { catalog } from './helpers.js';

const answer = fc.constantFrom<Answer | undefined>('yes', 'no', 'unknown', undefined);
const merchantAnswers: fc.Arbitrary<MerchantAnswers> = fc.record(
  { P1: answer, P2: answer, P3: answer, P4: answer },
  { requiredKeys: [] },
) as fc.Arbitrary<MerchantAnswers>;
const share = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant('unknown' as const));
const yesno = fc.constantFrom<Answer>('yes', 'no', 'unknown');
const territoryAnswers: fc.Arbitrary<TerritoryAnswers> = fc.record(
  {
    individuel: fc.record(
      { connectes: share, 'reseaux-sociaux': share, 'fiche-google': share },
      { requiredKeys: [] },
    ),
    collectif: fc.record(
      {
        'stocks-informatises': share,
        'adherents-association': share,
        'structuration-association': fc.constantFrom('faible', 'moyenne', 'forte', 'unknown'),
      },
      { requiredKeys: [] },
    ),
    centreVille: fc.record(
      {
        'service-communication': yesno,
        'services-publics-en-ligne': yesno,
        'praticiens-reservation': yesno,
        'parkings-temps-reel': yesno,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<TerritoryAnswers>;
const objective = fc.constantFrom(undefined, 'o1', 'o2', 'o3', 'o4', 'o5' as const);
const audience = fc.constantFrom('commercant', 'collectivite', 'visiteur' as const);

const scenario = fc.record({
  merchant: fc.option(merchantAnswers, { nil: undefined }),
  territory: fc.option(territoryAnswers, { nil: undefined }),
  objective,
  audience,
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function request(s: Scenario): RecommendationRequest {
  const req: RecommendationRequest = { audience: s.audience };
  if (s.objective) req.objective = s.objective;
  if (s.merchant) req.merchant = assessMerchant(catalog, s.merchant);
  if (s.territory) {
    const t = assessTerritory(
      catalog,
      s.territory,
      s.objective ? { objective: s.objective } : undefined,
    );
    if (!t.ok) throw new Error(`valid territory rejected: ${t.error.message}`);
    req.territory = t.value;
  }
  return req;
}

const summary = (r: ReturnType<typeof recommend>) =>
  r.items.map((i) => `${i.rank}:${i.fiche.id}:${i.accessible}:${reasonText(catalog, i)}`).join('|');

describe('invariants over generated profiles and territories (issue 3)', () => {
  it('ranking is deterministic, each fiche at most once, reasons one non-empty line, ranks 1..n', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const a = recommend(catalog, request(s));
        const b = recommend(catalog, request(s));
        expect(a.error).toBeUndefined();
        expect(summary(a)).toBe(summary(b));
        const ids = a.items.map((i) => i.fiche.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(a.items.map((i) => i.rank)).toEqual(a.items.map((_, k) => k + 1));
        for (const it of [...a.items, ...(a.firstStep ? [a.firstStep] : [])]) {
          expect(reasonText(catalog, it).trim().length).toBeGreaterThan(0);
          expect(reasonText(catalog, it)).not.toMatch(/\n/);
        }
        if (!s.objective) expect(a.items.length).toBeGreaterThanOrEqual(14);
        expect(a.firstStep).toBeDefined();
        expect(a.firstStep!.postponed).not.toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('the order rule always holds: no fort fiche first while individuel is below 60 % (guide p.42)', () => {
    const threshold = catalog.rules.thresholds.individuelWebActive;
    fc.assert(
      fc.property(scenario, (s) => {
        const req = request(s);
        if (!req.territory) return;
        const individuel = req.territory.bilans[0]!;
        expect(individuel.roadmap).toBe('individuel');
        const below = individuel.status !== 'valide';
        if (individuel.webActiveShare !== undefined && individuel.webActiveShare < threshold)
          expect(below).toBe(true);
        if (!below) return;
        const r = recommend(catalog, req);
        expect(r.items[0]?.fiche.maturity).not.toBe('fort');
        expect(r.firstStep?.fiche.maturity).not.toBe('fort');
        const first = req.territory.push[0];
        if (first)
          expect(catalog.fiches.find((f) => f.id === first.fiche)?.maturity).not.toBe('fort');
        expect(
          req.territory.push.every(
            (p) => !req.territory!.postpone.some((q) => q.fiche === p.fiche),
          ),
        ).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('without a territory, accessible fiches come first, highest level first (SPEC §4: what the merchant can do next); fiches for later, simplest first', () => {
    const order = ['tres-faible', 'faible', 'moyen', 'fort'];
    fc.assert(
      fc.property(merchantAnswers, objective, audience, (m, o, aud) => {
        const r = recommend(catalog, {
          audience: aud,
          merchant: assessMerchant(catalog, m),
          ...(o ? { objective: o } : {}),
        });
        const keys = r.items.map(
          (i) =>
            [
              i.accessible ? 0 : 1,
              i.accessible ? -order.indexOf(i.fiche.maturity) : order.indexOf(i.fiche.maturity),
            ] as const,
        );
        for (let k = 1; k < keys.length; k++) {
          const [a0, a1] = keys[k - 1]!;
          const [b0, b1] = keys[k]!;
          expect(a0 < b0 || (a0 === b0 && a1 <= b1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no exception escapes for arbitrary, even invalid, inputs', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (x, y, z) => {
        expect(() => assessMerchant(catalog, x as MerchantAnswers)).not.toThrow();
        expect(() => assessTerritory(catalog, x as TerritoryAnswers, y as never)).not.toThrow();
        expect(() => recommend(catalog, x as RecommendationRequest)).not.toThrow();
        expect(() =>
          recommend(catalog, {
            audience: 'commercant',
            merchant: y,
            territory: z,
          } as RecommendationRequest),
        ).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('shares outside 0–100 (or not numbers) are always typed errors', () => {
    const bad = fc.oneof(
      fc.double({ min: 100.000001, noNaN: true }),
      fc.double({ max: -0.000001, noNaN: true }),
      fc.constant(Number.NaN),
    );
    fc.assert(
      fc.property(bad, fc.constantFrom('connectes', 'reseaux-sociaux', 'fiche-google'), (v, q) => {
        const r = assessTerritory(catalog, { individuel: { [q]: v } } as TerritoryAnswers);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('SHARE_OUT_OF_RANGE');
      }),
    );
  });
});
