/**
 * The merchant's sector — the guide's 7 sectors (guide p.16, `catalog.guide.sectors`) — and the
 * town's region — the 13 Banque des Territoires contacts (guide p.46) — from everyday words.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { isOverseasRegion, parseRegion, parseSector } from '../../src/understand/index.js';

const catalog = getCatalog();

describe('parseSector', () => {
  it.each([
    ['boulangerie', 'alimentaire'],
    ['je suis boucher', 'alimentaire'],
    ['fromager', 'alimentaire'],
    ['une épicerie fine', 'alimentaire'],
    ['boulangrie', 'alimentaire'],
    ['coiffeur', 'hygiene-sante-beaute'],
    ['pharmacie', 'hygiene-sante-beaute'],
    ['esthéticienne', 'hygiene-sante-beaute'],
    ['opticien', 'hygiene-sante-beaute'],
    ['bar', 'cafes-hotels-restaurants'],
    ['un petit resto', 'cafes-hotels-restaurants'],
    ['hôtel', 'cafes-hotels-restaurants'],
    ['vêtements', 'equipement-personne'],
    ['magasin de chaussures', 'equipement-personne'],
    ['bijouterie', 'equipement-personne'],
    ['meubles', 'equipement-maison'],
    ['déco', 'equipement-maison'],
    ['bricolage', 'equipement-maison'],
    ['électroménager', 'equipement-maison'],
    ['librairie', 'culture-loisirs'],
    ['fleuriste', 'culture-loisirs'],
    ['jouets', 'culture-loisirs'],
    ['magasin de sport', 'culture-loisirs'],
    ['cinéma', 'culture-loisirs'],
    ['banque', 'services'],
    ['agence immo', 'services'],
    ['pressing', 'services'],
    ['cordonnier', 'services'],
    ['auto-école', 'services'],
    ['Hygiène, Santé, Beauté', 'hygiene-sante-beaute'],
  ] as const)('« %s » → %s', (text, expected) => {
    expect(parseSector(catalog, text)).toBe(expected);
  });

  it.each(['plombier', '', '???', '🥖'])('« %s » names no sector', (text) => {
    expect(parseSector(catalog, text)).toBeUndefined();
  });

  it('10 000 characters name no sector, and reading them does not throw', () => {
    expect(parseSector(catalog, 'boulangerie '.repeat(900))).toBeUndefined();
  });

  it('every sector id it returns is one of the guide’s 7', () => {
    const ids = new Set(catalog.guide.sectors.map((s) => s.id));
    for (const words of Object.values(catalog.vocabulary.sectors)) {
      for (const w of words) expect(ids.has(parseSector(catalog, w) ?? '?'), w).toBe(true);
    }
  });
});

describe('parseRegion', () => {
  it.each([
    ['Bretagne', 'bretagne'],
    ['je suis en Occitanie', 'occitanie'],
    ['Provence-Alpes-Côte d’Azur', 'provence-alpes-cote-d-azur'],
    ['provence alpes cote d azur', 'provence-alpes-cote-d-azur'],
    ['PACA', 'provence-alpes-cote-d-azur'],
    ['aura', 'auvergne-rhone-alpes'],
    ['IDF', 'ile-de-france'],
    ['ile de france', 'ile-de-france'],
    ['BFC', 'bourgogne-franche-comte'],
    ['HDF', 'hauts-de-france'],
    ['NA', 'nouvelle-aquitaine'],
    ['CVL', 'centre-val-de-loire'],
    ['PDL', 'pays-de-la-loire'],
    ['pays de loire', 'pays-de-la-loire'],
    ['Rhône-Alpes', 'auvergne-rhone-alpes'],
    ['Auvergne', 'auvergne-rhone-alpes'],
    ['Bourgogne', 'bourgogne-franche-comte'],
    ['Franche-Comté', 'bourgogne-franche-comte'],
    ['Alsace', 'grand-est'],
    ['Lorraine', 'grand-est'],
    ['Champagne-Ardenne', 'grand-est'],
    ['Picardie', 'hauts-de-france'],
    ['Nord-Pas-de-Calais', 'hauts-de-france'],
    ['Aquitaine', 'nouvelle-aquitaine'],
    ['Limousin', 'nouvelle-aquitaine'],
    ['Poitou-Charentes', 'nouvelle-aquitaine'],
    ['Languedoc-Roussillon', 'occitanie'],
    ['Midi-Pyrénées', 'occitanie'],
    ['Basse-Normandie', 'normandie'],
    ['Haute-Normandie', 'normandie'],
    ['Centre', 'centre-val-de-loire'],
    ['Corse du Sud', 'corse'],
    ['Lyon', 'auvergne-rhone-alpes'],
  ] as const)('« %s » → %s', (text, expected) => {
    expect(parseRegion(catalog, text)).toBe(expected);
  });

  it('10 000 characters name no region, and reading them does not throw', () => {
    expect(parseRegion(catalog, 'Bretagne '.repeat(1200))).toBeUndefined();
  });

  it.each(['centre-ville', 'na na na', 'Belgique', '', '???'])('« %s » names no region', (text) => {
    expect(parseRegion(catalog, text)).toBeUndefined();
  });

  it.each(['Martinique', 'La Réunion', 'Guyane', 'outre-mer'])(
    '« %s » is overseas: no region, since the guide lists no overseas contact',
    (text) => {
      expect(parseRegion(catalog, text)).toBeUndefined();
      expect(isOverseasRegion(catalog, text)).toBe(true);
    },
  );

  it('each of the guide’s 13 contacts is found by its own name', () => {
    expect(catalog.contacts.regions).toHaveLength(13);
    for (const r of catalog.contacts.regions) expect(parseRegion(catalog, r.name)).toBe(r.id);
  });
});
