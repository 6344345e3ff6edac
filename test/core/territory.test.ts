import { describe, expect, it } from 'vitest';
import {
  assessTerritory,
  type Bilan,
  type BilanLine,
  collectifOpen,
  recommend,
  type TerritoryAnswers,
  type TerritoryAssessment,
  type TerritoryFicheDecision,
  territoryAnswersOf,
} from '../../src/core/index.js';
import { coreErrorText } from '../../src/dialogue/text/errors.js';
import {
  BILAN_STATUS_TEXT,
  bilanLineText,
  bilanSummaryText,
  clarificationText,
  decisionText,
} from '../../src/dialogue/text/territory.js';
import { catalog, fiche, id, numbers } from './helpers.js';

/** The core gives codes; the presenters' text tables word them (quoted by these tests). */
const lines = (ls: readonly BilanLine[]) => ls.map((l) => bilanLineText(catalog, l));
const summaryOf = (b: Bilan) => bilanSummaryText(catalog, b);
const reasonOf = (d: TerritoryFicheDecision | undefined) => (d ? decisionText(catalog, d) : '');

function assess(
  answers: TerritoryAnswers,
  objective?: 'o1' | 'o2' | 'o3' | 'o4' | 'o5',
): TerritoryAssessment {
  const r = assessTerritory(catalog, answers, objective ? { objective } : undefined);
  if (!r.ok) throw new Error(`unexpected error ${r.error.code}: ${r.error.message}`);
  return r.value;
}
const bilanOf = (t: TerritoryAssessment, roadmap: string) =>
  t.bilans.find((b) => b.roadmap === roadmap);
const roadmap = (rid: string) => catalog.roadmaps.find((r) => r.id === rid)!;
const fort = catalog.fiches.filter((f) => f.maturity === 'fort').map((f) => f.id);

describe('individuel bilan (guide p.39: « inférieure à 60 % … insuffisamment gérée »)', () => {
  it.each([
    { source: 'p.39, 45 % web-active', rs: 45, fg: 30, status: 'insuffisant', web: 45 },
    { source: 'p.39, max of the two shares (SPEC §4)', rs: 30, fg: 75, status: 'valide', web: 75 },
    { source: 'p.39, exactly 60 % validates', rs: 60, fg: 10, status: 'valide', web: 60 },
    { source: 'p.39, 59 % does not', rs: 59, fg: 59, status: 'insuffisant', web: 59 },
  ])('$source → $status', ({ rs, fg, status, web }) => {
    const t = assess({ individuel: { connectes: 90, 'reseaux-sociaux': rs, 'fiche-google': fg } });
    const b = t.bilans[0]!;
    expect(b.roadmap).toBe('individuel');
    expect(b.status).toBe(status);
    expect(b.webActiveShare).toBe(web);
    expect(lines(b.figures)[0]).toContain(
      `${web} % de commerçants actifs sur le web (notre lecture du guide : la plus élevée des deux parts`,
    );
    expect(b.rule).toBe(roadmap('individuel').bilan.rule);
  });

  it('45 % → « à renforcer », fiches 1–3 pushed first, fort fiches postponed, gap to 100 % listings — even for o5', () => {
    const t = assess(
      { individuel: { connectes: 80, 'reseaux-sociaux': 45, 'fiche-google': 30 } },
      'o5',
    );
    const b = t.bilans[0]!;
    expect(BILAN_STATUS_TEXT[b.status]).toBe('à renforcer');
    expect(summaryOf(b)).toContain('insuffisamment gérée');
    expect(lines(b.gaps)).toContain(
      '70 % de commerçants restent à amener à une fiche Google à jour (objectif du guide : 100 %).',
    );
    expect(numbers(t.push.map((p) => p.fiche)).slice(0, 3)).toEqual([1, 2, 3]);
    expect(t.postpone.map((p) => p.fiche).sort()).toEqual([...fort].sort());
    expect(reasonOf(t.postpone[0])).toContain('moteurs de recherche');
    expect(t.orderRuleActive).toBe(true);
    // individuel step 2 (★ coaching) is the next one.
    const steps = t.roadmaps.find((r) => r.roadmap === 'individuel')!.steps;
    expect(steps.filter((s) => s.next).map((s) => s.number)).toEqual([2]);
  });

  it('marks the ★ steps as the guide does (individuel ★1–2, collectif ★1,3,5, centre-ville ★1–4)', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 70, 'fiche-google': 70 },
      collectif: { 'stocks-informatises': 60 },
      centreVille: { 'parkings-temps-reel': 'yes' },
    });
    const stars = Object.fromEntries(
      t.roadmaps.map((r) => [r.roadmap, r.steps.filter((s) => s.star).map((s) => s.number)]),
    );
    expect(stars).toEqual({
      individuel: [1, 2],
      collectif: [1, 3, 5],
      'centre-ville': [1, 2, 3, 4],
    });
  });
});

describe('collectif bilan (guide p.40: only once individuel is validated; stocks « forte » → place de marché)', () => {
  const high = catalog.rules.thresholds.collectifStockHigh.value;
  it.each([
    {
      source: 'p.40, 75 % web-active and 70 % stocks',
      stocks: 70,
      path: 'place-de-marche',
      pushed: 14,
    },
    { source: 'p.40, 75 % and 30 % → site vitrine', stocks: 30, path: 'site-vitrine', pushed: 4 },
    {
      source: 'rules.yaml convention: exactly the threshold counts as high',
      stocks: high,
      path: 'place-de-marche',
      pushed: 14,
    },
  ])('$source', ({ stocks, path, pushed }) => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 75, 'fiche-google': 50 },
      collectif: { 'stocks-informatises': stocks, 'adherents-association': 35 },
    });
    const b = bilanOf(t, 'collectif')!;
    expect(b.status).toBe('valide');
    expect(b.collectifPath).toBe(path);
    expect(t.push.map((p) => p.fiche)).toContain(id(pushed));
    expect(lines([...b.figures, ...b.gaps]).join(' ')).toContain('convention');
    // The 50 % convention is said once, not twice in one line.
    for (const line of lines([...b.figures, ...b.gaps]))
      expect(line.split('convention').length).toBeLessThanOrEqual(2);
    if (path === 'site-vitrine') {
      expect(t.postpone.map((p) => p.fiche)).toContain(id(14));
      expect(summaryOf(b)).toContain('vitrine');
    } else expect(summaryOf(b)).toContain('place de marché');
  });

  it('Google listings at 40 % and social networks at 70 % → no place de marché first: the guide wants most merchants referenced first (p.42)', () => {
    const t = assess(
      {
        individuel: { connectes: 90, 'reseaux-sociaux': 70, 'fiche-google': 40 },
        collectif: { 'stocks-informatises': 80, 'adherents-association': 60 },
      },
      'o5',
    );
    const individuel = bilanOf(t, 'individuel')!;
    expect(individuel.status).toBe('valide'); // 70 % web-active: the collectif part is open
    expect(individuel.listingShare).toBe(40);
    expect(t.push.map((p) => p.fiche)).not.toContain(id(14));
    const held = t.postpone.find((p) => p.fiche === id(14));
    expect(held?.code).toBe('listing-first');
    expect(reasonOf(held)).toContain('40 %');
    expect(reasonOf(held)).toContain('référencés');
    expect(t.push[0]?.fiche).toBe(id(2));
    expect(summaryOf(bilanOf(t, 'collectif')!)).toContain('seulement 40 %');
    const r = recommend(catalog, { audience: 'collectivite', objective: 'o5', territory: t });
    expect(r.items[0]?.fiche.id).not.toBe(id(14));
    expect(r.items.at(-1)?.fiche.id).toBe(id(14));
    // With 70 % listed, the same territory may consider it.
    const listed = assess(
      {
        individuel: { connectes: 90, 'reseaux-sociaux': 40, 'fiche-google': 70 },
        collectif: { 'stocks-informatises': 80 },
      },
      'o5',
    );
    expect(listed.push.map((p) => p.fiche)).toContain(id(14));
  });

  it('individuel at 50 % → collectif « pas encore », saying why (p.40)', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 50, 'fiche-google': 20 },
      collectif: {
        'stocks-informatises': 80,
        'adherents-association': 60,
        'structuration-association': 'forte',
      },
    });
    const b = bilanOf(t, 'collectif')!;
    expect(b.status).toBe('pas-encore');
    expect(BILAN_STATUS_TEXT[b.status]).toBe('pas encore');
    expect(summaryOf(b)).toContain('60 %');
    expect(summaryOf(b)).toContain('50 %');
    expect(b.collectifPath).toBeUndefined();
    expect(t.push.map((p) => p.fiche)).not.toContain(id(14));
    expect(t.roadmaps.find((r) => r.roadmap === 'collectif')!.steps.some((s) => s.next)).toBe(
      false,
    );
  });

  it('stocks unknown with individuel validated → « à compléter » with the survey advice', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 80, 'fiche-google': 80 },
      collectif: { 'stocks-informatises': 'unknown' },
    });
    const b = bilanOf(t, 'collectif')!;
    expect(b.status).toBe('a-completer');
    expect(lines(b.advice).join(' ')).toContain(roadmap('collectif').steps[0]!.means[0]!);
  });
});

describe('centre-ville bilan (guide p.41, rules.yaml centreVilleGaps)', () => {
  const allYes = {
    'service-communication': 'yes',
    'services-publics-en-ligne': 'yes',
    'praticiens-reservation': 'yes',
    'parkings-temps-reel': 'yes',
  } as const;

  it('no real-time parking information → stationnement intelligent pushed, with the mapping’s why', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 70, 'fiche-google': 70 },
      centreVille: { ...allYes, 'parkings-temps-reel': 'no' },
    });
    const push = t.push.find((p) => p.fiche === id(7));
    expect(reasonOf(push)).toContain(catalog.rules.centreVilleGaps['parkings-temps-reel']!.why);
    expect(bilanOf(t, 'centre-ville')!.status).toBe('insuffisant');
    expect(lines(bilanOf(t, 'centre-ville')!.gaps).join(' ')).toContain(fiche(7).title);
  });

  it('all four « oui » with individuel validated → ready for the merchant-side steps', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 65, 'fiche-google': 40 },
      centreVille: allYes,
    });
    const b = bilanOf(t, 'centre-ville')!;
    expect(b.status).toBe('pret');
    expect(b.merchantSideReady).toBe(true);
    expect(summaryOf(b)).toContain('étapes côté commerçants');
  });

  it('all four « oui » with individuel at 45 % → ready, merchant side once individuel is validated', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 45, 'fiche-google': 40 },
      centreVille: allYes,
    });
    const b = bilanOf(t, 'centre-ville')!;
    expect(b.status).toBe('pret');
    expect(b.merchantSideReady).toBe(false);
  });

  it('doctors not on booking apps while individuel is below 60 % → booking postponed, not pushed (p.42 order rule)', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 40, 'fiche-google': 40 },
      centreVille: { 'praticiens-reservation': 'no' },
    });
    expect(t.push.map((p) => p.fiche)).not.toContain(id(12));
    expect(t.postpone.map((p) => p.fiche)).toContain(id(12));
    const ok = assess({
      individuel: { 'reseaux-sociaux': 80, 'fiche-google': 80 },
      centreVille: { 'praticiens-reservation': 'no' },
    });
    expect(ok.push.map((p) => p.fiche)).toContain(id(12));
  });
});

describe('unknown answers never crash and say how to find out (issue 3)', () => {
  it.each([
    { source: 'no individuel answer at all', answers: {}, status: 'inconnu' },
    {
      source: 'all « je ne sais pas »',
      answers: {
        individuel: {
          connectes: 'unknown',
          'reseaux-sociaux': 'unknown',
          'fiche-google': 'unknown',
        },
      },
      status: 'inconnu',
    },
    {
      source: 'one web share below 60 %, the other unknown',
      answers: { individuel: { 'reseaux-sociaux': 40, 'fiche-google': 'unknown' } },
      status: 'a-completer',
    },
    {
      source: 'connected known only',
      answers: { individuel: { connectes: 90 } },
      status: 'a-completer',
    },
  ] as { source: string; answers: TerritoryAnswers; status: string }[])(
    '$source → $status, advice = roadmap step 1',
    ({ answers, status }) => {
      const t = assess(answers);
      const b = t.bilans[0]!;
      expect(b.status).toBe(status);
      expect(lines(b.advice).join(' ')).toContain('Enquête auprès des commerçants');
      expect(t.roadmaps[0]!.steps.filter((s) => s.next).map((s) => s.number)).toEqual([1]);
      expect(t.orderRuleActive).toBe(true);
      expect(t.push.length).toBeGreaterThan(0);
    },
  );

  it('one web share already ≥ 60 % validates even if the other is unknown', () => {
    const t = assess({ individuel: { 'reseaux-sociaux': 'unknown', 'fiche-google': 70 } });
    expect(t.bilans[0]!.status).toBe('valide');
    expect(t.bilans[0]!.webActiveShare).toBe(70);
  });

  it('centre-ville all unknown → « à établir » with advice', () => {
    const t = assess({ centreVille: { 'parkings-temps-reel': 'unknown' } });
    const b = bilanOf(t, 'centre-ville')!;
    expect(b.status).toBe('inconnu');
    expect(b.advice.length).toBeGreaterThan(0);
  });
});

describe('bad input → typed errors, never an exception', () => {
  it.each([
    {
      source: 'share 150',
      answers: { individuel: { 'reseaux-sociaux': 150 } },
      code: 'SHARE_OUT_OF_RANGE',
    },
    { source: 'share -3', answers: { individuel: { connectes: -3 } }, code: 'SHARE_OUT_OF_RANGE' },
    {
      source: 'share NaN',
      answers: { collectif: { 'stocks-informatises': Number.NaN } },
      code: 'SHARE_OUT_OF_RANGE',
    },
    {
      source: 'share Infinity',
      answers: { individuel: { 'fiche-google': Number.POSITIVE_INFINITY } },
      code: 'SHARE_OUT_OF_RANGE',
    },
    {
      source: 'share as text',
      answers: { individuel: { connectes: '45' } },
      code: 'INVALID_ANSWER',
    },
    {
      source: 'unknown question id',
      answers: { individuel: { 'site-web': 40 } },
      code: 'UNKNOWN_QUESTION',
    },
    { source: 'unknown roadmap', answers: { regional: {} }, code: 'UNKNOWN_ROADMAP' },
    {
      source: 'unknown association choice',
      answers: { collectif: { 'structuration-association': 'enorme' } },
      code: 'INVALID_CHOICE',
    },
    {
      source: 'yes/no answer « peut-être »',
      answers: { centreVille: { 'parkings-temps-reel': 'peut-être' } },
      code: 'INVALID_ANSWER',
    },
    { source: 'answers not an object', answers: 'abc', code: 'INVALID_INPUT' },
    {
      source: 'roadmap answers not an object',
      answers: { individuel: [45] },
      code: 'INVALID_INPUT',
    },
  ])('$source → $code', ({ answers, code }) => {
    const r = assessTerritory(catalog, answers as unknown as TerritoryAnswers);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(coreErrorText(catalog, r.error).length).toBeGreaterThan(20);
    }
  });

  it.each([
    {
      answers: { individuel: { 'reseaux-sociaux': 150 } },
      text: 'La part pour « Actifs sur les réseaux sociaux » doit être comprise entre 0 et 100 % (reçu : 150).',
    },
    {
      answers: { collectif: { 'structuration-association': 'enorme' } },
      text: 'choisissez parmi : ',
    },
    { answers: { regional: {} }, text: 'Feuille de route inconnue : « regional ».' },
  ])('the error is data, worded by the text table: $text', ({ answers, text }) => {
    const r = assessTerritory(catalog, answers as unknown as TerritoryAnswers);
    if (r.ok) throw new Error('expected an error');
    expect(r.error.detail.what).toBeTruthy();
    expect(coreErrorText(catalog, r.error)).toContain(text);
  });

  it('unknown objective → UNKNOWN_OBJECTIVE', () => {
    const r = assessTerritory(catalog, {}, { objective: 'o9' as 'o1' });
    expect(r.ok ? 'ok' : r.error.code).toBe('UNKNOWN_OBJECTIVE');
  });

  it('more merchants active on social networks than connected → a clarification, not an error', () => {
    const t = assess({ individuel: { connectes: 40, 'reseaux-sociaux': 70, 'fiche-google': 20 } });
    expect(t.clarifications).toEqual([
      { code: 'above-connected', question: 'reseaux-sociaux', value: 70, connected: 40 },
    ]);
    expect(clarificationText(catalog, t.clarifications[0]!)).toContain(
      'vérifiez ces deux chiffres',
    );
  });
});

describe('roadmaps shown', () => {
  it.each([
    { objective: 'o3', roadmaps: ['individuel', 'centre-ville'] },
    { objective: 'o5', roadmaps: ['individuel', 'collectif'] },
    { objective: 'o1', roadmaps: ['individuel'] },
  ] as const)(
    'objective $objective → $roadmaps (roadmap fiches, guide pp.39–41)',
    ({ objective, roadmaps }) => {
      const t = assess({ individuel: { 'reseaux-sociaux': 70, 'fiche-google': 70 } }, objective);
      expect(t.roadmaps.map((r) => r.roadmap)).toEqual(roadmaps);
      expect(t.bilans.map((b) => b.roadmap)).toEqual(['individuel']);
    },
  );
});

describe('push and postpone: reasons are codes, merged by value (issue 17)', () => {
  it('two « non » answered by the same fiche → one push with both reasons, overlapping words and all', () => {
    const t = assess({
      individuel: { 'reseaux-sociaux': 70, 'fiche-google': 70 },
      centreVille: {
        'service-communication': 'no',
        'services-publics-en-ligne': 'no',
        'praticiens-reservation': 'yes',
        'parkings-temps-reel': 'yes',
      },
    });
    const app = t.push.filter((p) => p.fiche === 'application-de-ville');
    expect(app).toHaveLength(1);
    expect(app[0]!.code).toBe('centre-ville-gap');
    expect(app[0]!.reasons).toEqual([
      { code: 'centre-ville-gap', kind: 'public-no', question: 'service-communication' },
      { code: 'centre-ville-gap', kind: 'public-no', question: 'services-publics-en-ligne' },
    ]);
    const text = reasonOf(app[0]);
    for (const q of ['service-communication', 'services-publics-en-ligne'])
      expect(text).toContain(catalog.rules.centreVilleGaps[q]!.why);
  });

  it('no decision carries the same reason twice', () => {
    const t = assess({
      individuel: { connectes: 90, 'reseaux-sociaux': 30, 'fiche-google': 20 },
      collectif: { 'stocks-informatises': 10 },
      centreVille: {
        'service-communication': 'no',
        'services-publics-en-ligne': 'no',
        'praticiens-reservation': 'no',
        'parkings-temps-reel': 'no',
      },
    });
    for (const d of [...t.push, ...t.postpone]) {
      const keys = d.reasons.map((r) => JSON.stringify(r));
      expect(new Set(keys).size).toBe(keys.length);
      expect(d.code).toBe(d.reasons[0]!.code);
    }
  });

  it('a bug is not swallowed: a catalog without thresholds throws instead of a vague error', () => {
    const broken = { ...catalog, rules: { ...catalog.rules, thresholds: undefined } };
    expect(() =>
      assessTerritory(broken as unknown as typeof catalog, {
        individuel: { 'reseaux-sociaux': 70, 'fiche-google': 70 },
      }),
    ).toThrow(TypeError);
  });
});

describe("the dialogue's answers, read once (territoryAnswersOf) — the 60 % gate (p.40)", () => {
  it('reads shares, choices and yes/no by roadmap, and leaves the rest out', () => {
    expect(
      territoryAnswersOf({
        connectes: 80,
        'reseaux-sociaux': 'unknown',
        'fiche-google': '45',
        'structuration-association': 'faible',
        'parkings-temps-reel': 'no',
        P1: 'yes',
      }),
    ).toEqual({
      individuel: { connectes: 80, 'reseaux-sociaux': 'unknown' },
      collectif: { 'structuration-association': 'faible' },
      centreVille: { 'parkings-temps-reel': 'no' },
    });
  });

  it.each([
    { answers: { 'reseaux-sociaux': 70, 'fiche-google': 20 }, open: true },
    { answers: { 'reseaux-sociaux': 60, 'fiche-google': 'unknown' }, open: true },
    { answers: { 'reseaux-sociaux': 59, 'fiche-google': 45 }, open: false },
    { answers: { connectes: 90 }, open: false },
    { answers: { 'reseaux-sociaux': 150, 'fiche-google': 70 }, open: false },
  ])('$answers → collectif open: $open', ({ answers, open }) => {
    expect(collectifOpen(catalog, answers)).toBe(open);
  });
});
