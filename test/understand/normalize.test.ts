/**
 * `normalizeText` folds text character by character for speed (every search and parser calls
 * it); it must give exactly what the plain definition gives: NFKD, marks dropped, « œ »/« æ »
 * spelt out, lower case, anything but letters, digits and « % » a single space, trimmed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/understand/normalize.js';

function reference(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/giu, 'oe')
    .replace(/æ/giu, 'ae')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/[^\p{L}\p{N}%]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

describe('normalizeText', () => {
  it.each([
    ['Ça coûte combien, l’œuvre ?', 'ca coute combien l oeuvre'],
    ['  E-COMMERCE  à 45 % !!', 'e commerce a 45 %'],
    ['Île-de-France', 'ile de france'],
    ['🍕 pizza 🍕', 'pizza'],
    ['ΣΊΣΥΦΟΣ', reference('ΣΊΣΥΦΟΣ')],
  ])('« %s » → « %s »', (input, out) => {
    expect(normalizeText(input)).toBe(out);
  });

  it('matches the plain definition on any text', () => {
    const chars = fc.constantFrom(
      ..."aZé É œŒæÆ’'%19ßİﬁ½\u0301😀ç\t\nǅΩσΣ\u00a0²Ⅻ…ﬀőøŁı\u200b-«»".split(''),
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(chars, fc.string({ unit: 'grapheme' })), { maxLength: 12 }),
        (parts) => {
          const s = parts.join('');
          expect(normalizeText(s)).toBe(reference(s));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches the plain definition on every code point of the BMP and the math letters', () => {
    const points = [...Array(0x10000).keys()].filter((cp) => cp < 0xd800 || cp > 0xdfff);
    for (let cp = 0x1d400; cp < 0x1d800; cp++) points.push(cp);
    for (const cp of points) {
      const s = `a${String.fromCodePoint(cp)}b ${String.fromCodePoint(cp)}`;
      expect(normalizeText(s)).toBe(reference(s));
    }
  });
});
