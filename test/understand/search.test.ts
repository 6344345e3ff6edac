/**
 * Free-text search (SPEC §5 Recherche, issue 4): at most 3 fiches best first, or an objective, or
 * a global command, or « not understood » below the confidence threshold so that the bot offers
 * the menu instead of guessing. Cases are our own wording (test/understand/held-out.ts), never
 * the dev set's questions.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { HELD_OUT } from '../../scripts/data/held-out.js';
import {
  CONFIDENCE_THRESHOLD,
  createSearch,
  type SearchResult,
} from '../../src/understand/index.js';

const catalog = getCatalog();
const search = createSearch(catalog);

const named = (r: SearchResult): string[] =>
  r.kind === 'fiches' || r.kind === 'objective' ? r.hits.map((h) => h.id) : [];

describe('held-out questions, 8 per fiche', () => {
  it('cover the 14 fiches of the guide (SPEC §3 table)', () => {
    expect(Object.keys(HELD_OUT).sort()).toEqual(catalog.fiches.map((f) => f.id).sort());
  });

  for (const [id, questions] of Object.entries(HELD_OUT)) {
    it.each(questions)(`« %s » names ${id} among at most 3 fiches`, (q) => {
      const ids = named(search.search(q));
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThanOrEqual(3);
      expect(ids).toContain(id);
    });
  }

  it('put the right fiche first for at least 90 % of them', () => {
    const all = Object.entries(HELD_OUT).flatMap(([id, qs]) => qs.map((q) => ({ id, q })));
    const first = all.filter(({ id, q }) => named(search.search(q))[0] === id);
    expect(first.length / all.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('goals rather than solutions give the objective (SPEC §3 objectives)', () => {
  it.each([
    ['je veux vendre en ligne', 'o5', 'site-vente-en-ligne'],
    ['attirer du monde en centre-ville', 'o3', undefined],
    ['comment me faire connaître', 'o2', undefined],
    ['je veux gagner du temps', 'o4', undefined],
    ['comprendre les enjeux du numérique', 'o1', 'formation-en-ligne'],
  ] as const)('« %s » → objective %s', (text, objective, firstHit) => {
    const r = search.search(text);
    expect(r).toMatchObject({ kind: 'objective', objective });
    if (r.kind !== 'objective') return;
    expect(r.confidence).toBeGreaterThanOrEqual(CONFIDENCE_THRESHOLD);
    // Its hits are that objective's fiches only.
    for (const h of r.hits) {
      expect(catalog.fiches.find((f) => f.id === h.id)?.objective).toBe(objective);
    }
    if (firstHit) expect(r.hits[0]?.id).toBe(firstHit);
  });

  it('a fiche word beside the goal makes it a fiche request', () => {
    const r = search.search('gagner du temps sur la gestion de mes stocks');
    expect(r.kind).toBe('fiches');
    expect(named(r)[0]).toBe('optimisation-operationnelle');
  });
});

describe('gibberish and off-topic text go to the menu (kind « none »)', () => {
  it.each([
    'azerty qsdf',
    '???',
    '😀😀😀',
    'lkjhg poiuy mnbv',
    'bonjour',
    'commerce',
    'mon chat est malade',
    'je cherche un plombier',
    'quel temps fait-il demain',
    '',
    '   ',
    '\u0000\u0007\u001b[2J',
  ])('« %s » → none, below the threshold', (text) => {
    const r = search.search(text);
    expect(r.kind).toBe('none');
    if (r.kind === 'none') expect(r.confidence).toBeLessThan(CONFIDENCE_THRESHOLD);
  });

  it('10 000 characters do not throw and give at most 3 fiches', () => {
    const long = 'carte de fidélité pour mes clients '.repeat(300);
    const r = search.search(long);
    expect(named(r).length).toBeLessThanOrEqual(3);
  });
});

describe('global words are commands, whatever the state', () => {
  it.each([
    ['menu', 'menu'],
    ['aide', 'aide'],
    ['retour stp', 'retour'],
    ['je veux recommencer', 'recommencer'],
    ['contact', 'contact'],
    ['oubliez mes données', 'oublier'],
  ] as const)('« %s » → command %s', (text, command) => {
    expect(search.search(text)).toEqual({ kind: 'command', command });
  });
});

describe('the text is read the way a merchant types on a phone', () => {
  it.each([
    ['STATIONNEMENT', 'stationnement-intelligent'],
    ['stationement', 'stationnement-intelligent'],
    ['fidelite', 'fidelite-cheques-cadeaux'],
    ['boutiqe en ligne', 'site-vente-en-ligne'],
    ['instagrm', 'referencement-medias-sociaux'],
    ['click & collect', 'reservation-en-ligne'],
    ['e-commerce', 'site-vente-en-ligne'],
  ] as const)('« %s » (case, accents, one typo) → %s first', (text, id) => {
    expect(named(search.search(text))[0]).toBe(id);
  });

  it('confidences are numbers in [0, 1]', () => {
    for (const q of Object.values(HELD_OUT).flat()) {
      const r = search.search(q);
      if ('confidence' in r) {
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
      }
    }
  });
});
