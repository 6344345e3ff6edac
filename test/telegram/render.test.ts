/**
 * Neutral reply → Telegram sendMessage parameters, against PLATFORMS.md: HTML parse mode with
 * `&`, `<`, `>` escaped (`&quot;` in href), text ≤ 4096 visible characters split at paragraph
 * boundaries, inline keyboards ≤ 8 a row with callback_data ≤ 64 bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  assertCallbackData,
  escapeAttribute,
  escapeHtml,
  layoutKeyboard,
  renderReply,
  TELEGRAM_MAX_TEXT,
  toPlainMessage,
} from '../../adapters/telegram/render.js';
import {
  bold,
  button,
  card,
  link,
  makeReply,
  para,
  text,
  withButtons,
  withProgress,
} from '../../src/reply/build.js';
import type { Button } from '../../src/reply/model.js';
import { visibleText } from './helpers.js';

describe('escaping', () => {
  it('escapes & first, then < and >', () => {
    expect(escapeHtml('<b>&amp; Tom & Jerry</b>')).toBe(
      '&lt;b&gt;&amp;amp; Tom &amp; Jerry&lt;/b&gt;',
    );
  });

  it('escapes " as &quot; inside an href', () => {
    expect(escapeAttribute('https://x.fr/?a="1"&b=<2>')).toBe(
      'https://x.fr/?a=&quot;1&quot;&amp;b=&lt;2&gt;',
    );
  });

  it('shows what a user typed as text, never as markup', () => {
    const [message] = renderReply(text(['Bilan des commerçants de ', bold('Dole <b>&'), ' :']));
    expect(message?.text).toBe('Bilan des commerçants de <b>Dole &lt;b&gt;&amp;</b> :');
    expect(message?.parse_mode).toBe('HTML');
  });

  it('links are <a href> with the address escaped; other schemes stay text', () => {
    const [message] = renderReply(
      text([
        link('le guide', 'https://www.banquedesterritoires.fr/guide?a=1&b="2"'),
        ' — ',
        link('piège', 'javascript:alert(1)'),
      ]),
    );
    expect(message?.text).toBe(
      '<a href="https://www.banquedesterritoires.fr/guide?a=1&amp;b=&quot;2&quot;">le guide</a> — piège (javascript:alert(1))',
    );
  });
});

describe('splitting long replies (Telegram: 1–4096 characters after entity parsing)', () => {
  const paragraph = (n: number) =>
    para(bold(`Paragraphe ${n}. `), `${'Le centre-ville & ses <commerces>. '.repeat(30)}`.trim());
  const long = withButtons(
    makeReply({ blocks: Array.from({ length: 12 }, (_, i) => paragraph(i + 1)) }),
    [button('Menu', 'nav:menu')],
  );

  it('cuts a reply of ~12 000 characters into messages of ≤ 4096 visible characters', () => {
    expect(long.text.length).toBeGreaterThan(3 * TELEGRAM_MAX_TEXT);
    const messages = renderReply(long);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) {
      expect(visibleText(m.text).length).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
      // Cut at paragraph boundaries: every message starts with a paragraph's title.
      expect(visibleText(m.text)).toMatch(/^Paragraphe \d+\. /);
    }
  });

  it('loses nothing and keeps the buttons on the last message only', () => {
    const messages = renderReply(long);
    const all = messages.map((m) => visibleText(m.text)).join('\n\n');
    expect(all).toBe(long.text);
    expect(messages.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    expect(messages.at(-1)?.reply_markup?.inline_keyboard.flat()).toEqual([
      { text: 'Menu', callback_data: 'nav:menu' },
    ]);
  });
});

describe('keyboards', () => {
  const labels = (n: number, label: (i: number) => string): Button[] =>
    Array.from({ length: n }, (_, i) => button(label(i), `ans:${i}@1`));

  it('short answers sit side by side: [Oui] [Non] [Je ne sais pas]', () => {
    const rows = layoutKeyboard([
      button('Oui', 'ans:yes@2'),
      button('Non', 'ans:no@2'),
      button('Je ne sais pas', 'ans:unknown@2'),
    ]);
    expect(rows.map((r) => r.map((b) => b.text))).toEqual([['Oui', 'Non', 'Je ne sais pas']]);
  });

  it('long labels get a row each', () => {
    const rows = layoutKeyboard([
      button('Comprendre les enjeux du numérique', 'obj:o1'),
      button('Être trouvé·e et me faire connaître', 'obj:o2'),
    ]);
    expect(rows).toHaveLength(2);
  });

  it('never more than 8 buttons a row, 100 in all', () => {
    const rows = layoutKeyboard(labels(120, (i) => String(i % 10)));
    expect(rows.every((r) => r.length <= 8)).toBe(true);
    expect(rows.flat()).toHaveLength(100);
  });

  it('refuses callback_data over 64 bytes (BUTTON_DATA_INVALID otherwise)', () => {
    expect(() => assertCallbackData('é'.repeat(33))).toThrow(RangeError);
    expect(() => assertCallbackData('')).toThrow(RangeError);
    expect(() => assertCallbackData('a'.repeat(64))).not.toThrow();
    expect(() => layoutKeyboard([{ label: 'Trop long', action: 'x'.repeat(65) }])).toThrow(
      RangeError,
    );
  });

  it('several cards with « Voir la fiche » get numbered titles and numbered buttons', () => {
    const reply = makeReply({
      blocks: [para('Les solutions du guide :')],
      cards: [
        card({
          title: 'Site de vente en ligne',
          buttons: [button('Voir la fiche', 'fiche:site-vente-en-ligne')],
        }),
        card({
          title: 'Place de marché numérique',
          buttons: [button('Voir la fiche', 'fiche:place-de-marche')],
        }),
      ],
    });
    const [message] = renderReply(reply);
    expect(message?.text).toContain('<b>1. Site de vente en ligne</b>');
    expect(message?.text).toContain('<b>2. Place de marché numérique</b>');
    expect(message?.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual([
      '1. Voir la fiche',
      '2. Voir la fiche',
    ]);
  });
});

describe('progress', () => {
  it('shows « Question 2/4 » once, even when the dialogue already wrote it', () => {
    const plain = withProgress(text('Avez-vous déjà mené une démarche marketing ?'), 2, 4);
    expect(visibleText(renderReply(plain)[0]?.text ?? '')).toBe(
      'Question 2/4\n\nAvez-vous déjà mené une démarche marketing ?',
    );
    const worded = withProgress(text(bold('Question 2/4'), ' — Avez-vous…'), 2, 4);
    expect(visibleText(renderReply(worded)[0]?.text ?? '').match(/Question 2\/4/g)).toHaveLength(1);
  });
});

describe('plain-text fallback (when Telegram refuses our HTML)', () => {
  it('gives back exactly what the user should read', () => {
    const [message] = renderReply(text(['Dole ', bold('<b>&'), ' « 45 % »']));
    expect(toPlainMessage(message!).text).toBe('Dole <b>& « 45 % »');
  });
});
