/**
 * Global words work in every state (SPEC §5: « menu », « aide », « retour » (previous question),
 * « recommencer », « contact », « oublier mes données »), but only as the whole message: a
 * question that contains the word is a question.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { textEvent } from '../../src/dialogue/interpret.js';
import { createSearch, detectCommand } from '../../src/understand/index.js';

const catalog = getCatalog();

describe('detectCommand', () => {
  it.each([
    ['menu', 'menu'],
    ['Menu !', 'menu'],
    ['/menu', 'menu'],
    ['retour au menu', 'menu'],
    ['aide', 'aide'],
    ['au secours', 'aide'],
    ['comment ça marche ?', 'aide'],
    ['retour', 'retour'],
    ['retour stp', 'retour'],
    ['question précédente', 'retour'],
    ['recommencer', 'recommencer'],
    ['je veux recommencer', 'recommencer'],
    ['recomencer', 'recommencer'],
    ['on recommence à zéro', 'recommencer'],
    ['reprendre à zéro', 'recommencer'],
    ['contact', 'contact'],
    ['je voudrais parler à un conseiller', 'contact'],
    ['oublier mes données', 'oublier'],
    ['oubliez mes données', 'oublier'],
    ['supprimer mes données', 'oublier'],
    ['Supprimez mes données svp', 'oublier'],
    ['/oubli', 'oublier'],
  ] as const)('« %s » → %s', (text, expected) => {
    expect(detectCommand(catalog, text)).toBe(expected);
  });

  it.each([
    'aide-moi à vendre en ligne',
    'le menu du restaurant en ligne',
    'retour sur investissement d’une caisse',
    'contact avec mes clients par sms',
    'je veux vendre en ligne',
    'merci',
    '',
    '???',
    '🙂',
    '\u0000\u0008',
  ])('« %s » is not a command', (text) => {
    expect(detectCommand(catalog, text)).toBeUndefined();
  });

  it('10 000 characters are no command, and reading them does not throw', () => {
    expect(detectCommand(catalog, 'menu '.repeat(2000))).toBeUndefined();
  });
});

describe('politeness alone is social, not a search (SPEC §5: kind answers)', () => {
  const search = createSearch(catalog);
  it.each([
    ['Bonjour !', 'greeting'],
    ['salut', 'greeting'],
    ['Bonsoir', 'greeting'],
    ['re-bonjour', 'greeting'],
    ['merci', 'thanks'],
    ['Merci beaucoup !!', 'thanks'],
    ['merci 🙏', 'thanks'],
    ["c'est gentil", 'thanks'],
    ['Au revoir.', 'bye'],
    ['bonne journée', 'bye'],
    ['merci et bonne journée', 'bye'],
  ])('« %s » → %s', (text, social) => {
    expect(textEvent(catalog, search, text)).toEqual({ type: 'SOCIAL', social });
  });

  it.each([
    'non merci',
    'oui merci',
    'bonjour je suis commerçante',
    'merci de m’aider à vendre en ligne',
    'menu merci',
  ])('« %s » is read for what it says', (text) => {
    expect(textEvent(catalog, search, text).type).not.toBe('SOCIAL');
  });
});

describe('a request for advice without a topic asks for the diagnostic (SPEC §5)', () => {
  const search = createSearch(catalog);
  const diagOf = (text: string) => {
    const event = textEvent(catalog, search, text);
    return event.type === 'TEXT' ? event.u.diag : undefined;
  };
  it.each([
    'par où commencer ?',
    'Que me conseillez-vous ?',
    'je sais pas quoi faire',
    'que faire',
  ])('« %s » → the diagnostic', (text) => {
    expect(diagOf(text)).toBe('any');
  });
  it.each([
    'par où commencer pour vendre en ligne ?',
    'que faire pour que les clients me trouvent sur google',
  ])('« %s » is a need, not a request for advice', (text) => {
    expect(diagOf(text)).toBeUndefined();
  });
});

describe('« ok », « d’accord » alone are marked as an acknowledgement (a yes where a question takes one)', () => {
  const search = createSearch(catalog);
  const ackOf = (text: string) => {
    const event = textEvent(catalog, search, text);
    return event.type === 'TEXT' ? event.u.ack === true : false;
  };
  it.each(['ok', 'OK !', 'd’accord', 'très bien', 'super', 'ça marche'])('« %s » → ack', (text) => {
    expect(ackOf(text)).toBe(true);
  });
  it.each(['ok pour la fidélité', 'super promo pour mes clients'])('« %s » is not', (text) => {
    expect(ackOf(text)).toBe(false);
  });
});
