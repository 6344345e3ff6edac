/**
 * Typed answers to the dialogues' questions. SPEC §5: « every question accepts buttons and free
 * text (oui/non and their variants, « je ne sais pas », percentages as « 45 », « 45 % »,
 * « la moitié », « un tiers », « aucun », « tous ») »; issue 4 lists the forms below.
 */

import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { shareClarifyText } from '../../src/dialogue/text/understand.js';
import { parseShare, parseYesNo } from '../../src/understand/index.js';

const catalog = getCatalog();

describe('parseYesNo: what the merchant typed to a yes/no question', () => {
  it.each([
    ['oui', 'yes'],
    ['Oui !', 'yes'],
    ['ouais', 'yes'],
    ['ouiii', 'yes'],
    ['bien sûr', 'yes'],
    ['Bien sur', 'yes'],
    ['tout à fait', 'yes'],
    ['carrément', 'yes'],
    ["d'accord", 'yes'],
    ['euh oui merci', 'yes'],
    ["oui, j'ai une page Facebook", 'yes'],
    ['non', 'no'],
    ['NON', 'no'],
    ['nan', 'no'],
    ['pas du tout', 'no'],
    ['pas encore', 'no'],
    ['pas vraiment', 'no'],
    ['absolument pas', 'no'],
    ['non merci', 'no'],
    ["non je n'ai pas de site internet", 'no'],
    ['jsp', 'unknown'],
    ['je ne sais pas', 'unknown'],
    ['je sais pas', 'unknown'],
    ["j'sais pas", 'unknown'],
    ['aucune idée', 'unknown'],
    ['Aucune idee', 'unknown'],
    ['non, je ne sais pas', 'unknown'],
  ] as const)('« %s » → %s', (text, expected) => {
    expect(parseYesNo(catalog, text)).toBe(expected);
  });

  it.each([
    // A question that only opens with « je ne sais pas » falls back to search.
    'je ne sais pas comment faire pour vendre en ligne',
    'si je veux vendre en ligne il faut quoi',
    'je voudrais vendre en ligne',
    'oui et non',
    '',
    '???',
    '😀👍',
    '\u0000\u0007\u001b[31m',
  ])('« %s » is not an answer (undefined)', (text) => {
    expect(parseYesNo(catalog, text)).toBeUndefined();
  });
});

it('10 000 characters are not an answer, and reading them does not throw', () => {
  expect(parseYesNo(catalog, 'oui '.repeat(2500))).toBeUndefined();
});

describe('parseShare: a share of merchants typed as digits or words', () => {
  it.each([
    ['45', 45, false],
    ['45 %', 45, false],
    ['45%', 45, false],
    ['environ 45', 45, true],
    ['à peu près la moitié', 50, true],
    ['la moitié', 50, false],
    ['un tiers', 33, false],
    ['un quart', 25, false],
    ['trois quarts', 75, false],
    ['aucun', 0, false],
    ['personne', 0, false],
    ['zéro', 0, false],
    ['0', 0, false],
    ['presque tous', 90, true],
    ['presque personne', 10, true],
    ['tous', 100, false],
    ['tout le monde', 100, false],
    ['100', 100, false],
    ['2 sur 10', 20, false],
    ['1 commerçant sur 3', 33, false],
    ['3/4', 75, false],
    ['cinquante pour cent', 50, false],
    ['vingt pour cent', 20, false],
    ['quatre-vingt-dix', 90, false],
    ['la plupart', 75, true],
    ['entre 30 et 40', 35, true],
    ['30-40 %', 35, true],
    ['dans les 40 %', 40, true],
    ['45,5 %', 46, false],
  ] as const)('« %s » → %s % (approximate: %s)', (text, value, approximate) => {
    expect(parseShare(catalog, text)).toEqual({ ok: true, value, approximate });
  });

  it.each(['jsp', 'je ne sais pas', 'aucune idée'])(
    '« %s » is a valid « unknown » answer',
    (text) => {
      expect(parseShare(catalog, text)).toEqual({ ok: true, value: 'unknown', approximate: false });
    },
  );

  it.each(['150 %', '-5', '12 sur 0', '250'])(
    '« %s » is out of range, with a question back',
    (text) => {
      const r = parseShare(catalog, text);
      expect(r).toMatchObject({ ok: false, reason: 'out-of-range' });
      if (!r.ok) expect(shareClarifyText(r)).toMatch(/entre 0 et 100/);
    },
  );

  it.each([
    ['30 ou 40', ['30 %', '40 %']],
    ['la moitié ou un tiers', ['50 %', '33 %']],
    ['entre 10 et 80', ['10 %', '80 %']],
  ])('« %s » is ambiguous: the question back names both values', (text, shown) => {
    const r = parseShare(catalog, text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('ambiguous');
      for (const s of shown) expect(shareClarifyText(r)).toContain(s);
    }
  });

  it.each([
    ['an empty string', ''],
    ['« ??? »', '???'],
    ['an emoji', '😀'],
    ['« oui »', 'oui'],
    ['« c’est compliqué »', 'c’est compliqué'],
    ['control characters', '\u0000\u0001\u0002'],
    ['10 000 letters', 'x'.repeat(10_000)],
    ['10 000 digits', '4'.repeat(10_000)],
  ])('%s is no share: the bot asks again, without throwing', (_label, text) => {
    const r = parseShare(catalog, text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(shareClarifyText(r).length).toBeGreaterThan(10);
  });
});
