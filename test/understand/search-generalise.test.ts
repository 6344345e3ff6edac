/**
 * Does the search generalise (issue 4: « we also measure on questions that are not in the dev
 * set »)? Two sets written from the guide alone, never copied into the catalog:
 * `held-out-2.ts` (104 questions in every register, objectives and off-topic text) was used to
 * teach vocabulary; `held-out-3.ts` (20 questions) was written before that and never tuned on.
 * Bars sit a little below what the search reaches, so a regression fails.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import {
  HELD_OUT_2,
  HELD_OUT_2_OFF_TOPIC,
  HELD_OUT_2_ROWS,
} from '../../scripts/data/held-out-2.js';
import { HELD_OUT_3 } from '../../scripts/data/held-out-3.js';
import { namedFiches, scoreRows } from '../../scripts/lib/score.js';
import { createSearch } from '../../src/understand/index.js';

const catalog = getCatalog();
const search = createSearch(catalog);
const describeMisses = (misses: ReturnType<typeof scoreRows>['misses']) =>
  misses.map((m) => `${m.row.question} → ${m.row.expected} (${JSON.stringify(m.result)})`);

describe('second held-out set (104 questions)', () => {
  it('has at least 6 questions for each of the 14 fiches (SPEC §3 table)', () => {
    expect(Object.keys(HELD_OUT_2).sort()).toEqual(catalog.fiches.map((f) => f.id).sort());
    for (const qs of Object.values(HELD_OUT_2)) expect(qs.length).toBeGreaterThanOrEqual(6);
  });

  it('puts the expected answer first for at least 92 % and among three for at least 96 %', () => {
    const { top1, top3, misses } = scoreRows(catalog, search, HELD_OUT_2_ROWS);
    expect(top1, describeMisses(misses).join('\n')).toBeGreaterThanOrEqual(0.92);
    expect(top3, describeMisses(misses).join('\n')).toBeGreaterThanOrEqual(0.96);
  });

  it('sends at least 9 of the 10 off-topic texts to the menu (SPEC §5: admit, do not guess)', () => {
    const none = HELD_OUT_2_OFF_TOPIC.filter((q) => search.search(q).kind === 'none');
    expect(none.length).toBeGreaterThanOrEqual(9);
  });

  it('never names more than 3 fiches', () => {
    for (const { question } of HELD_OUT_2_ROWS) {
      expect(namedFiches(search.search(question)).length).toBeLessThanOrEqual(3);
    }
  });
});

describe('third held-out set (20 questions never tuned on)', () => {
  it('puts the expected fiche first for at least 85 % and among three for at least 90 %', () => {
    const { top1, top3, misses } = scoreRows(catalog, search, HELD_OUT_3);
    expect(top1, describeMisses(misses).join('\n')).toBeGreaterThanOrEqual(0.85);
    expect(top3, describeMisses(misses).join('\n')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('ranking rules that hold for any wording', () => {
  it.each([
    // « -ent » verbs read as their infinitive: being found online is fiche 2 (guide p.20).
    ['les clients ne nous trouvent jamais sur internet', 'referencement-medias-sociaux'],
    // « annulent » is « annuler »: last-minute cancellations are fiche 12 (guide p.33).
    ['mes clientes annulent souvent leur rendez-vous', 'reservation-en-ligne'],
    // A rare phrase (« bons d'achat ») outweighs generic ones (« tous les commerces »), p.29.
    ['des bons d achat acceptés par tous les commerces du centre', 'fidelite-cheques-cadeaux'],
    // « boutiques … en ligne » read across « plan » is no online shop: the map is fiche 4, p.22.
    ['situer les boutiques sur un plan en ligne', 'vitrine-numerique-cartographie'],
  ])('« %s » puts %s first', (q, id) => {
    expect(namedFiches(search.search(q))[0]).toBe(id);
  });
});
