/**
 * splitReply: every part within the limit, nothing lost, buttons on the last part.
 * Limits from PLATFORMS.md: Telegram text ≤ 4096 characters, Slack section text ≤ 3000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bold,
  button,
  card,
  link,
  list,
  makeReply,
  orderedList,
  para,
  text,
  withButtons,
} from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import { plainText } from '../../src/reply/plain.js';
import { splitReply } from '../../src/reply/split.js';

const words = (r: readonly Reply[]) =>
  r
    .map((p) => p.text)
    .join(' ')
    .replace(/\s*\(suite\)/g, '')
    .split(/\s+/)
    .filter(Boolean);

const sentence = (i: number) =>
  `Phrase numéro ${i} sur le commerce de centre-ville et ses outils numériques.`;

function check(reply: Reply, max: number): Reply[] {
  const parts = splitReply(reply, max);
  for (const part of parts) {
    expect(part.text.length).toBeLessThanOrEqual(max);
    expect(part.text).toBe(plainText(part.blocks, part.cards ?? []));
  }
  expect(words(parts)).toEqual(words([reply]));
  for (const p of parts.slice(0, -1)) expect(p.buttons).toBeUndefined();
  expect(parts.at(-1)?.buttons).toEqual(reply.buttons);
  return parts;
}

describe('splitReply', () => {
  it('returns a short reply untouched', () => {
    const reply = withButtons(text('Bonjour.'), [button('Menu', 'menu')]);
    expect(splitReply(reply, 4096)).toEqual([reply]);
  });

  it('cuts a long Telegram message at paragraph boundaries, buttons on the last part', () => {
    const paragraphs = Array.from({ length: 120 }, (_, i) => sentence(i));
    const reply = withButtons(text(...paragraphs), [button('Oui', 'oui'), button('Non', 'non')]);
    expect(reply.text.length).toBeGreaterThan(4096 * 2);
    const parts = check(reply, 4096);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // Whole paragraphs only: every part starts with « Phrase » and ends with a full stop.
    for (const p of parts) expect(p.text).toMatch(/^Phrase[\s\S]*\.$/);
  });

  it('cuts between list items and keeps the numbering of an ordered list across parts', () => {
    const steps = Array.from({ length: 40 }, (_, i) => sentence(i));
    const reply = makeReply({
      blocks: [para('Votre feuille de route :'), orderedList(steps)],
      progress: { current: 1, total: 2 },
    });
    const parts = check(reply, 1000);
    expect(parts[0]?.progress).toEqual({ current: 1, total: 2 });
    expect(parts[1]?.progress).toBeUndefined();
    const numbers = parts.flatMap((p) =>
      [...p.text.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1])),
    );
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('cuts an over-long paragraph between words, never inside one, keeping bold and links', () => {
    const long = Array.from({ length: 300 }, (_, i) => `mot${i}`).join(' ');
    const reply = text([
      'Début ',
      bold('important'),
      ` ${long} `,
      link('la fiche', 'https://exemple.fr/fiche'),
    ]);
    const parts = check(reply, 200);
    const all = new Set(words([reply]));
    for (const p of parts) for (const w of words([p])) expect(all.has(w)).toBe(true);
    const first = parts[0]?.blocks[0];
    expect(first?.type === 'paragraph' ? first.spans.slice(0, 2) : []).toEqual([
      { text: 'Début ' },
      { text: 'important', bold: true },
    ]);
    expect(parts.at(-1)?.text).toMatch(/la fiche \(https:\/\/exemple\.fr\/fiche\)$/);
  });

  it('splits at Slack’s 3000 and keeps cards whole, their buttons with them', () => {
    const cards = Array.from({ length: 12 }, (_, i) =>
      card({
        title: `Solution ${i}`,
        lines: [sentence(i), sentence(i + 100), sentence(i + 200)],
        buttons: [button('Voir la fiche', `fiche-${i}`)],
      }),
    );
    const reply = withButtons(makeReply({ blocks: [para('Les solutions :')], cards }), [
      button('Menu', 'menu'),
    ]);
    const parts = check(reply, 600);
    expect(parts.flatMap((p) => p.cards ?? []).map((c) => c.buttons?.[0]?.action)).toEqual(
      cards.map((c) => c.buttons?.[0]?.action),
    );
  });

  it('a single word longer than the limit (a long address) is cut as a last resort', () => {
    const reply = text(`Voir https://exemple.fr/${'a'.repeat(300)}`);
    const parts = splitReply(reply, 100);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(100);
    expect(parts.map((p) => p.text).join('')).toContain('a'.repeat(50));
  });

  it('a reply given only as text is split too', () => {
    const reply: Reply = {
      text: Array.from({ length: 50 }, (_, i) => sentence(i)).join('\n\n'),
      blocks: [],
      buttons: [{ label: 'Oui', action: 'oui' }],
    };
    check(reply, 500);
  });

  it('refuses a limit too small to hold a word', () => {
    expect(() => splitReply(text('Bonjour'), 10)).toThrow(RangeError);
  });

  it('property: any mix of paragraphs and lists fits any limit and loses no word', () => {
    const wordArb = fc.stringMatching(/^[a-zéèà]{1,12}$/);
    const spansArb = fc.array(wordArb, { minLength: 1, maxLength: 60 }).map((ws) => ws.join(' '));
    const blockArb = fc.oneof(
      spansArb.map((s) => para(s)),
      fc.array(spansArb, { minLength: 1, maxLength: 8 }).map((items) => list(items)),
      fc.array(spansArb, { minLength: 1, maxLength: 8 }).map((items) => orderedList(items)),
    );
    fc.assert(
      fc.property(
        fc.array(blockArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 40, max: 800 }),
        (blocks, max) => {
          const reply = withButtons(makeReply({ blocks }), [button('Suite', 'suite')]);
          check(reply, max);
        },
      ),
      { numRuns: 150 },
    );
  });
});
