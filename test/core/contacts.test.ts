import { describe, expect, it } from 'vitest';
import { collectiviteSupport, findRegion, formatShare } from '../../src/core/index.js';
import { catalog } from './helpers.js';

// Guide p.46: the 13 regional Banque des Territoires contacts.
describe('findRegion', () => {
  it.each([
    ['Bretagne', 'bretagne'],
    ['bretagne', 'bretagne'],
    ['ÎLE-DE-FRANCE', 'ile-de-france'],
    ['ile de france', 'ile-de-france'],
    ['provence-alpes-cote-d-azur', 'provence-alpes-cote-d-azur'],
    ['Auvergne Rhône-Alpes', 'auvergne-rhone-alpes'],
    ['PACA', 'provence-alpes-cote-d-azur'],
    ['IDF', 'ile-de-france'],
    ['nous sommes en Bourgogne Franche-Comté', 'bourgogne-franche-comte'],
  ])('« %s » → %s', (text, expected) => {
    expect(findRegion(catalog, text)?.id).toBe(expected);
  });

  it.each(['centre-ville', 'Atlantide', '', '   '])('« %s » → no region', (text) => {
    expect(findRegion(catalog, text)).toBeUndefined();
  });

  it('gives the e-mail address exactly as the guide prints it', () => {
    expect(findRegion(catalog, 'Bretagne')?.email).toBe('bretagne@caissedesdepots.fr');
  });
});

describe('collectiviteSupport', () => {
  it('returns the region contact, the funding with its caveat and the 6 success factors', () => {
    const s = collectiviteSupport(catalog, 'Normandie');
    expect(s.contact?.email).toBe('normandie@caissedesdepots.fr');
    expect(s.funding.caveat.length).toBeGreaterThan(0);
    expect(s.funding.measures.length).toBeGreaterThan(0);
    expect(s.successFactors).toHaveLength(6);
  });

  it('has no contact for an unknown region, but still the funding', () => {
    const s = collectiviteSupport(catalog, 'Narnia');
    expect(s.contact).toBeUndefined();
    expect(s.funding.measures.length).toBeGreaterThan(0);
  });
});

describe('formatShare', () => {
  it.each([
    [45, '45 %'],
    [0, '0 %'],
    [100, '100 %'],
    [100 / 3, '33,3 %'],
    [12.5, '12,5 %'],
  ])('%s → « %s »', (n, text) => {
    expect(formatShare(n)).toBe(text);
  });
});
