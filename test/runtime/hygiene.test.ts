import { describe, expect, it } from 'vitest';
import { charCount, cleanEvent, cleanText } from '../../src/runtime/hygiene.js';

describe('input hygiene', () => {
  it('strips control characters and bidi overrides, keeps accents, emoji joiners and line breaks', () => {
    expect(cleanText('\u0000Café\u0007 «\u202eoui»\r\n\r\n\r\nensuite\u200b')).toBe(
      'Café «oui»\n\nensuite',
    );
    expect(cleanText('👨‍👩‍👧')).toBe('👨‍👩‍👧');
    expect(cleanText('a\tb')).toBe('a b');
  });

  it('drops lone surrogates (broken emoji from a cut string)', () => {
    expect(cleanText('ok\ud83d')).toBe('ok');
  });

  it('counts characters as a person does', () => {
    expect(charCount('🏪é')).toBe(2);
  });

  it('cleans a start event: entry of Telegram’s allowed set only, town trimmed and bounded', () => {
    expect(
      cleanEvent({
        type: 'start',
        entry: 'fiche-stationnement-intelligent',
        town: '  Sens\u0000 ',
      }),
    ).toEqual({
      ok: true,
      event: { type: 'start', entry: 'fiche-stationnement-intelligent', town: 'Sens' },
    });
    expect(cleanEvent({ type: 'start', entry: 'a'.repeat(65), town: 'x'.repeat(81) })).toEqual({
      ok: true,
      event: { type: 'start' },
    });
  });
});
