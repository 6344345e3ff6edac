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
  withCards,
  withProgress,
} from '../../src/reply/build.js';
import { renderPlain } from '../../src/reply/plain.js';
import { replySchema } from '../../src/reply/schema.js';
import { assertActionId, assertReply, isActionId } from '../../src/reply/validate.js';

describe('reply builders fill the plain-text fallback from the blocks and cards', () => {
  it('text(): one paragraph per argument, separated by a blank line', () => {
    const reply = text('Bonjour.', ['Votre niveau : ', bold('2'), '.']);
    expect(reply.text).toBe('Bonjour.\n\nVotre niveau : 2.');
    expect(reply.blocks[1]).toEqual({
      type: 'paragraph',
      spans: [{ text: 'Votre niveau : ' }, { text: '2', bold: true }, { text: '.' }],
    });
  });

  it('lists read as « - » or « 1. » lines; links show their address in plain text', () => {
    const reply = text(
      para('Les 3 étapes :'),
      orderedList(['Se former', ['Créer une ', bold('fiche Google')], 'Vendre en ligne']),
      list([link('Banque des Territoires', 'https://www.banquedesterritoires.fr')]),
    );
    expect(reply.text).toBe(
      'Les 3 étapes :\n\n1. Se former\n2. Créer une fiche Google\n3. Vendre en ligne\n\n- Banque des Territoires (https://www.banquedesterritoires.fr)',
    );
  });

  it('cards add their title, subtitle and lines to the fallback; buttons never do', () => {
    const reply = withButtons(
      withCards(text('Deux solutions :'), [
        card({
          title: 'Click & collect',
          subtitle: 'Coût : faible',
          lines: ['Pour vendre sans livrer.'],
          buttons: [button('Voir la fiche', 'fiche-cc')],
        }),
      ]),
      [button('Menu', 'menu')],
    );
    expect(reply.text).toBe(
      'Deux solutions :\n\nClick & collect\nCoût : faible\nPour vendre sans livrer.',
    );
    expect(reply.buttons).toEqual([{ label: 'Menu', action: 'menu' }]);
    expect(replySchema.safeParse(reply).success).toBe(true);
  });

  it('withProgress marks « Question 2/4 », rendered first by renderPlain', () => {
    const reply = withProgress(
      withButtons(text('Avez-vous un site ?'), [button('Oui', 'oui'), button('Non', 'non')]),
      2,
      4,
    );
    expect(renderPlain(reply)).toBe('Question 2/4\n\nAvez-vous un site ?\n\n- Oui\n- Non');
    expect(renderPlain(reply, { numberChoices: true })).toBe(
      'Question 2/4\n\nAvez-vous un site ?\n\n1. Oui\n2. Non',
    );
  });

  it('renderPlain falls back to `text` when a reply has no blocks', () => {
    expect(renderPlain({ text: 'Juste du texte.', blocks: [] })).toBe('Juste du texte.');
  });

  it('makeReply with nothing gives an empty but valid reply', () => {
    expect(makeReply({})).toEqual({ text: '', blocks: [] });
  });
});

describe('action ids fit every platform (ASCII, ≤ 48 bytes; Telegram callback_data ≤ 64 bytes)', () => {
  it('accepts short ASCII ids', () => {
    expect(isActionId('objectif-3')).toBe(true);
    expect(isActionId('fiche:stationnement-intelligent')).toBe(true);
    expect(() => assertActionId('x'.repeat(48))).not.toThrow();
  });

  it('refuses spaces, accents, emoji, empty and over-long ids', () => {
    for (const bad of ['a b', 'étape', '👍', '', 'x'.repeat(49), 12]) {
      expect(isActionId(bad)).toBe(false);
      expect(() => assertActionId(bad)).toThrow(TypeError);
    }
  });

  it('button() and assertReply() check labels too (Slack button text ≤ 75, we keep ≤ 60)', () => {
    expect(() => button('x'.repeat(61), 'ok')).toThrow(/label/);
    expect(() => button('Oui', 'oui non')).toThrow(/action id/);
    expect(() =>
      assertReply({
        text: '',
        blocks: [],
        cards: [{ title: 't', lines: [], buttons: [{ label: 'Voir', action: 'é' }] }],
      }),
    ).toThrow();
  });
});
