import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCatalogCheck, summarizeCatalog } from '../../catalog/check.js';
import { getCatalog } from '../../catalog/load.js';
import type { Cost, Fiche, Roadmap } from '../../catalog/schema.js';

const catalog = getCatalog();
// The guide's text lives beside the repository (../shared), not in it: on a fresh clone the
// checks against it are skipped, visibly, and every other catalog test still runs.
const GUIDE_TEXT = new URL('../../../shared/guide/guide-solutions-numeriques.txt', import.meta.url);
const hasGuide = existsSync(GUIDE_TEXT);
const guideText = hasGuide ? readFileSync(GUIDE_TEXT, 'utf8') : '';
if (!hasGuide)
  console.warn(
    'catalog tests: ../shared/guide/guide-solutions-numeriques.txt is absent — the checks against the guide’s text are skipped.',
  );

function fiche(id: string): Fiche {
  const found = catalog.fiches.find((f) => f.id === id);
  if (!found) throw new Error(`fiche ${id} is missing`);
  return found;
}

function roadmap(id: string): Roadmap {
  const found = catalog.roadmaps.find((r) => r.id === id);
  if (!found) throw new Error(`roadmap ${id} is missing`);
  return found;
}

const sorted = <T>(values: readonly T[]): T[] => [...values].sort();

// SPEC §3 fiche table: number, id, title, objective, maturity, types.
const FICHES = [
  [
    1,
    'formation-en-ligne',
    'Formation en ligne ou via un lieu dédié',
    'o1',
    'tres-faible',
    ['individuelle'],
  ],
  [
    2,
    'referencement-medias-sociaux',
    'Référencement et communication sur les médias sociaux',
    'o2',
    'faible',
    ['individuelle'],
  ],
  [
    3,
    'communication-hors-medias-sociaux',
    'Outils de communication hors médias sociaux',
    'o2',
    'faible',
    ['individuelle'],
  ],
  [
    4,
    'vitrine-numerique-cartographie',
    'Vitrine numérique et cartographie interactive',
    'o2',
    'faible',
    ['centre-ville', 'collectif'],
  ],
  [5, 'application-de-ville', 'Application de ville', 'o3', 'faible', ['centre-ville']],
  [
    6,
    'comptage-flux-pietons',
    'Comptage et analyse de flux piétons',
    'o3',
    'faible',
    ['centre-ville', 'individuelle'],
  ],
  [7, 'stationnement-intelligent', 'Stationnement intelligent', 'o3', 'faible', ['centre-ville']],
  [8, 'calcul-itineraire', "Calcul d'itinéraire en centre-ville", 'o3', 'faible', ['centre-ville']],
  [
    9,
    'fidelite-cheques-cadeaux',
    'Programme de fidélité et de chèques cadeaux',
    'o4',
    'moyen',
    ['collectif'],
  ],
  [
    10,
    'paiement-sans-especes',
    'Paiement sans espèces',
    'o4',
    'moyen',
    ['collectif', 'individuelle'],
  ],
  [
    11,
    'optimisation-operationnelle',
    "Solution d'optimisation opérationnelle",
    'o4',
    'moyen',
    ['individuelle'],
  ],
  [
    12,
    'reservation-en-ligne',
    "Réservation d'un produit ou d'un service en ligne",
    'o5',
    'fort',
    ['collectif'],
  ],
  [13, 'site-vente-en-ligne', 'Site de vente en ligne', 'o5', 'fort', ['individuelle']],
  [14, 'place-de-marche', 'Place de marché numérique', 'o5', 'fort', ['collectif']],
] as const;

// SPEC §4: merchant prerequisites and territory prerequisites per fiche, as the guide prints them.
const PREREQUISITES = [
  ['formation-en-ligne', [], ['T1']],
  ['referencement-medias-sociaux', ['P2'], ['T1']],
  ['communication-hors-medias-sociaux', ['P2'], ['T1']],
  ['vitrine-numerique-cartographie', ['P1'], ['T1']],
  ['application-de-ville', ['P1'], ['T1', 'T2']],
  ['comptage-flux-pietons', ['P1', 'P2'], ['T1']],
  ['stationnement-intelligent', [], ['T1', 'T2']],
  ['calcul-itineraire', [], ['T1', 'T2']],
  ['fidelite-cheques-cadeaux', ['P1'], ['T2']],
  ['paiement-sans-especes', ['P1'], ['T1']],
  ['optimisation-operationnelle', ['P1'], ['T1']],
  ['reservation-en-ligne', ['P1'], ['T1']],
  ['site-vente-en-ligne', ['P1', 'P2', 'P3', 'P4'], ['T1']],
  ['place-de-marche', ['P1', 'P2', 'P3', 'P4'], ['T1']],
] as const;

// Guide p.43, « La Banque des Territoires vous accompagne »: names and addresses as printed.
const REGIONS = [
  ['auvergne-rhone-alpes', 'Auvergne Rhône-Alpes', 'auvergne-rhone-alpes@caissedesdepots.fr'],
  [
    'bourgogne-franche-comte',
    'Bourgogne Franche-Comté',
    'bourgogne-franche-comte@caissedesdepots.fr',
  ],
  ['bretagne', 'Bretagne', 'bretagne@caissedesdepots.fr'],
  ['centre-val-de-loire', 'Centre-Val-de-Loire', 'centre-val-de-loire@caissedesdepots.fr'],
  ['corse', 'Corse', 'corse@caissedesdepots.fr'],
  ['grand-est', 'Grand Est', 'grand-est@caissedesdepots.fr'],
  ['hauts-de-france', 'Hauts de France', 'hauts-de-france@caissedesdepots.fr'],
  ['ile-de-france', 'Ile-de-France', 'ile-de-france@caissedesdepots.fr'],
  ['normandie', 'Normandie', 'normandie@caissedesdepots.fr'],
  ['nouvelle-aquitaine', 'Nouvelle Aquitaine', 'nouvelle-aquitaine@caissedesdepots.fr'],
  ['occitanie', 'Occitanie', 'occitanie@caissedesdepots.fr'],
  ['pays-de-la-loire', 'Pays de la Loire', 'pays-de-la-loire@caissedesdepots.fr'],
  [
    'provence-alpes-cote-d-azur',
    "Provence-Alpes-Côte d'Azur",
    'provence-alpes-cote-d-azur@caissedesdepots.fr',
  ],
] as const;

// === Counts and ids

describe('the catalog holds the whole guide', () => {
  it('has 5 objectives o1–o5 on the pages of the sommaire', () => {
    expect(catalog.objectives.map((o) => [o.id, o.number, o.page])).toEqual([
      ['o1', 1, 17],
      ['o2', 2, 19],
      ['o3', 3, 23],
      ['o4', 4, 28],
      ['o5', 5, 32],
    ]);
    for (const o of catalog.objectives) expect(o.title).toMatch(/^Je souhaite /);
  });

  it('has the 14 fiches of SPEC §3, in order', () => {
    expect(catalog.fiches.map((f) => f.id)).toEqual(FICHES.map(([, id]) => id));
  });

  it('has the 3 roadmaps, 13 regions, 6 success factors and 6 pieces of general advice', () => {
    expect(sorted(catalog.roadmaps.map((r) => r.id))).toEqual([
      'centre-ville',
      'collectif',
      'individuel',
    ]);
    expect(catalog.contacts.regions).toHaveLength(13);
    expect(catalog.guide.successFactors.map((f) => f.title)).toEqual([
      'Simplicité de la solution',
      'Bonne compréhension des usages',
      'Approche globale du centre ville',
      'Création de nouveaux modèles',
      'Structure organisationnelle adaptée',
      'Infrastructure numérique adéquate',
    ]);
    expect(catalog.guide.generalAdvice).toHaveLength(6);
  });

  it('lists the guide’s 7 sectors and 9 customer-journey stages (the lists, not the lost ticks)', () => {
    expect(catalog.guide.sectors.map((s) => s.id)).toEqual([
      'cafes-hotels-restaurants',
      'equipement-personne',
      'services',
      'hygiene-sante-beaute',
      'culture-loisirs',
      'alimentaire',
      'equipement-maison',
    ]);
    expect(catalog.guide.journeyStages[0]).toBe('Besoin et envie');
    expect(catalog.guide.journeyStages[8]).toBe('Partage, recommandation');
    // Which sectors each fiche ticked were icons in the PDF: nothing is invented (SPEC §3).
    expect(catalog.fiches.filter((f) => f.sectors !== undefined).map((f) => f.id)).toEqual([]);
  });
});

// === Fiches

describe('each fiche matches the guide', () => {
  it.each(FICHES)(
    'fiche %i %s: title, objective, maturity and type',
    (number, id, title, objective, maturity, types) => {
      const f = fiche(id);
      expect(f.number).toBe(number);
      expect(f.title).toBe(title);
      expect(f.objective).toBe(objective);
      expect(f.maturity).toBe(maturity);
      expect(sorted(f.types)).toEqual([...types]);
    },
  );

  it('fiche 4 keeps a note about its header « Sensibiliser aux enjeux du numérique » (SPEC §3 ¹)', () => {
    expect(fiche('vitrine-numerique-cartographie').objectiveNote).toMatch(/Sensibiliser/);
  });

  it.each(PREREQUISITES)('%s: merchant %j, territory %j (SPEC §4)', (id, merchant, territory) => {
    const f = fiche(id);
    expect(sorted(f.prerequisites.merchant)).toEqual([...merchant]);
    expect(sorted(f.prerequisites.territory.map((t) => t.code))).toEqual([...territory]);
  });

  it('fiche 9 asks for a dynamic collective organisation only « si solution collective »', () => {
    expect(fiche('fidelite-cheques-cadeaux').prerequisites.territory[0]?.condition).toMatch(
      /collective/,
    );
  });
});

// === Costs

describe('indicative costs are the guide’s figures', () => {
  const amounts = (costs: readonly Cost[]) => costs.flatMap((c) => c.amounts);

  it('site de vente en ligne: from 30 € per month plus about 2–3 % per transaction (p.32)', () => {
    const found = amounts(fiche('site-vente-en-ligne').costs);
    expect(found).toContainEqual(
      expect.objectContaining({ min: 30, unit: expect.stringMatching(/mois/) }),
    );
    expect(found).toContainEqual({
      min: 2,
      max: 3,
      unit: expect.stringMatching(/% par transaction/),
    });
  });

  it('caisse enregistreuse tactile: 500 € to 2 500 € HT (p.28)', () => {
    expect(amounts(fiche('paiement-sans-especes').costs)).toContainEqual({
      min: 500,
      max: 2500,
      unit: expect.stringMatching(/HT/),
    });
  });

  it('programme de fidélité: 29 to 39 € per month and per point of sale (p.28)', () => {
    expect(amounts(fiche('fidelite-cheques-cadeaux').costs)).toContainEqual({
      min: 29,
      max: 39,
      unit: expect.stringMatching(/mois.*point de vente/),
    });
  });
});

// === Roadmaps

describe('the three roadmaps follow the guide (p.38–42)', () => {
  const ids = (numbers: number[]) => numbers.map((n) => FICHES[n - 1]?.[1]);

  it.each([
    ['individuel', [1, 2, 3]],
    ['collectif', [4, 9, 10, 11, 12, 13, 14]],
    ['centre-ville', [5, 6, 7, 8]],
  ] as const)('%s covers fiches %j', (id, numbers) => {
    expect(roadmap(id).fiches).toEqual(ids([...numbers]));
  });

  it('every fiche belongs to exactly one roadmap', () => {
    const all = catalog.roadmaps.flatMap((r) => r.fiches);
    expect(sorted(all)).toEqual(sorted(catalog.fiches.map((f) => f.id)));
  });

  it.each([
    ['individuel', [1, 2]],
    ['collectif', [1, 3, 5]],
    ['centre-ville', [1, 2, 3, 4]],
  ] as const)('%s marks steps %j with ★ (« étape indispensable »)', (id, stars) => {
    const r = roadmap(id);
    expect(r.steps.filter((s) => s.star).map((s) => s.number)).toEqual([...stars]);
    expect(r.steps.map((s) => s.number)).toEqual([1, 2, 3, 4, 5]);
    for (const s of r.steps) expect(s.title).toMatch(/^J(e |')/);
  });

  it.each([
    ['individuel', ['connectes', 'reseaux-sociaux', 'fiche-google'], 'share'],
    [
      'collectif',
      ['stocks-informatises', 'adherents-association', 'structuration-association'],
      null,
    ],
    [
      'centre-ville',
      [
        'service-communication',
        'services-publics-en-ligne',
        'praticiens-reservation',
        'parkings-temps-reel',
      ],
      'yesno',
    ],
  ] as const)('%s asks the maturity questions %j', (id, questionIds, kind) => {
    const r = roadmap(id);
    expect(r.questions.map((q) => q.id)).toEqual([...questionIds]);
    for (const q of r.questions) {
      if (kind) expect(q.kind).toBe(kind);
      expect(q.text).toMatch(/\?$/);
      expect(q.short.length).toBeLessThanOrEqual(40);
    }
  });

  it('collectif: two shares and a faible / moyenne / forte scale for the association', () => {
    const [stocks, members, structure] = roadmap('collectif').questions;
    expect([stocks?.kind, members?.kind, structure?.kind]).toEqual(['share', 'share', 'choice']);
    expect(structure?.kind === 'choice' && structure.options.map((o) => o.id)).toEqual([
      'faible',
      'moyenne',
      'forte',
    ]);
  });

  it('individuel bilan: below 60 % of merchants active on the web, train and coach first (p.39)', () => {
    expect(catalog.rules.thresholds.individuelWebActive).toBe(60);
    expect(catalog.rules.thresholds.listingTarget).toBe(100);
    expect(roadmap('individuel').bilan.rule).toMatch(/60 %.*(formation|form)/s);
  });
});

// === Guide-wide content

describe('figures, contacts and funding are exact', () => {
  it.each(REGIONS)('%s: %s writes to %s', (id, name, email) => {
    expect(catalog.contacts.regions.find((r) => r.id === id)).toEqual({ id, name, email });
  });

  it('keeps the context figures of part 01 with their sources', () => {
    const figure = (id: string) => catalog.guide.contextFigures.find((f) => f.id === id);
    expect(figure('vacance-commerciale-villes-moyennes')).toMatchObject({
      value: '13 %',
      source: expect.stringMatching(/PROCOS 2018/),
    });
    expect(figure('adherents-unions-commerciales')?.value).toBe('35 %');
    expect(figure('commercants-presents-web')).toMatchObject({
      value: '60 %',
      source: expect.stringMatching(/LA ! Etudes 2017-2018 sur 40 villes moyennes/),
    });
    expect(figure('acheteurs-internet-2018')).toMatchObject({
      value: '37,5 millions',
      source: 'Médiamétrie, 2019',
    });
    for (const f of catalog.guide.contextFigures) expect(f.page).toBeGreaterThanOrEqual(6);
  });

  it('presents the France Relance measures as « mentionnées dans le guide » (p.44)', () => {
    const { funding } = catalog.guide;
    expect(funding.measures.map((m) => m.amount)).toEqual([
      "14 millions d'euros",
      "5 millions d'euros",
      "7 millions d'euros (20 000 € par collectivité)",
    ]);
    expect(funding.intro).toMatch(/près d'1 Md€/);
    expect(funding.intro).toMatch(/700 territoires/);
    expect(funding.caveat).toMatch(/mentionnées dans le guide/);
    expect(funding.others.join(' ')).toMatch(/Bpifrance/);
  });

  it('keeps the guide’s marketplace example in the first piece of general advice (p.42)', () => {
    const first = catalog.guide.generalAdvice[0];
    expect(first?.title).toMatch(/^Prenez les étapes dans l'ordre/);
    expect(first?.text).toMatch(/place de marché.*moteurs de recherche/s);
  });
});

// === Against the guide's own text (skipped, with a note, when ../shared is absent)

describe.skipIf(!hasGuide)('the catalog against the guide’s text (../shared/guide)', () => {
  it('individuel bilan: the 60 % sentence is the guide’s (p.39)', () => {
    expect(guideText).toContain(
      'Si la part des commerçants actifs sur le web est inférieure à 60 %',
    );
  });

  it.each(REGIONS)('%s: %s — the address %s is printed in the guide', (_id, _name, email) => {
    expect(guideText).toContain(email);
  });

  it('fiche 3 is externalisable « sauf la création de la base de données », as the guide prints it', () => {
    expect(guideText).toMatch(/OUI sauf la création de la base de données/i);
    expect(fiche('communication-hors-medias-sociaux').externalisableExcept).toBe(
      'sauf la création de la base de données',
    );
  });

  it('the place de marché example keeps its figures whole (250 commerçants, 270 000 visiteurs)', () => {
    const text = fiche('place-de-marche').examples[0]?.text ?? '';
    expect(text).toContain('250 commerçants');
    expect(text).toContain('270 000 visiteurs uniques');
    expect(guideText).toMatch(/250\s+commerçants/);
  });
});

// === Frozen and summarised

describe('the loaded catalog', () => {
  it('is frozen all the way down', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.fiches)).toBe(true);
    expect(Object.isFrozen(fiche('place-de-marche').impacts)).toBe(true);
    expect(() => {
      (catalog.fiches as Fiche[]).pop();
    }).toThrow(TypeError);
    expect(() => {
      (catalog.rules.thresholds as { individuelWebActive: number }).individuelWebActive = 10;
    }).toThrow(TypeError);
    expect(catalog.rules.thresholds.individuelWebActive).toBe(60);
  });

  it('`npm run catalog:check` prints 14 fiches under 5 objectives', () => {
    let out = '';
    const code = runCatalogCheck([], { out: (t) => (out += t), err: (t) => (out += t) });
    expect(code).toBe(0);
    expect(out).toBe(summarizeCatalog(catalog));
    expect(out).toContain('  5 objectifs\n');
    expect(out).toContain('  14 fiches\n');
    expect(out).toContain('  13 régions');
    expect(out).toContain('  4. Vitrine numérique et cartographie interactive — faible\n');
    expect(out).toContain('  1. Formation en ligne ou via un lieu dédié — très faible\n');
    expect(out.match(/^Objectif \d/gm)).toHaveLength(5);
    expect(out.match(/^ {2}\d+\. /gm)).toHaveLength(14);
  });
});
