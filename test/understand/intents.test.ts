/**
 * `readIntents` (issue 15): the global intents, politeness in several words, partial answers,
 * corrections and fiche follow-ups are read from kinds of words, with typos and without accents.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import { readIntents } from '../../src/understand/index.js';

const catalog = getCatalog();
const read = (text: string) => readIntents(catalog, text);

describe('readIntents', () => {
  it.each([
    ['contact', 'qui est mon interlocutur pour la region ?'],
    ['contact', 'je voudrais parler a quelqu un'],
    ['contact', 'le mail de mon correspondant svp'],
    ['funding', 'y a t il des aides pour les commerces'],
    ['funding', 'le plan de relance ca finance quoi'],
    ['funding', 'une subvention pour mon projet'],
    ['roadmap', 'il nous faut une feuille de route'],
    ['roadmap', 'quel plan d action pour la ville'],
    ['diagnostic', 'je veux faire le test de maturite'],
  ] as const)('%s ← « %s »', (key, text) => {
    expect(read(text)[key]).toBe(true);
  });

  it('« sans contact » is a way to pay, not a request for a contact', () => {
    expect(read('je veux le paiement sans contact').contact).toBe(false);
    expect(read('un contact a la banque').contact).toBe(true);
  });

  it('off-topic: insults aimed at the bot, other subjects, English — not « je suis nul en info »', () => {
    expect(read('tu sers a rien').offtopic).toBe('insult');
    expect(read('espece d idiot').offtopic).toBe('insult');
    expect(read('il va pleuvoir demain ?').offtopic).toBe('topic');
    expect(read('horaires d ouverture de la mediatheque').offtopic).toBe('topic');
    expect(read('can you help me with my shop?').offtopic).toBe('english');
    expect(read('je suis nul en informatique').offtopic).toBeUndefined();
    expect(read('je veux vendre en ligne').offtopic).toBeUndefined();
  });

  it('politeness in several words, the strongest kind wins; a need in the text is no politeness', () => {
    expect(read('merci pour votre aide, bonne soiree').social).toBe('bye');
    expect(read('ok merci a plus').social).toBe('bye');
    expect(read('merci beaucoup c est tres clair').social).toBe('thanks');
    expect(read('bonjour a tous').social).toBe('greeting');
    expect(read('merci, je veux un site').social).toBeUndefined();
    expect(read('oui').social).toBeUndefined();
  });

  it('who is talking: a town word wins over a trade word', () => {
    expect(read('je suis elue au commerce').audience).toBe('collectivite');
    expect(read('manager de commerce').audience).toBe('collectivite');
    expect(read('je tiens une boutique').audience).toBe('commercant');
    expect(read('les habitants du quartier').audience).toBe('visiteur');
  });

  it('partial answers and corrections', () => {
    for (const text of ['un petit peu', 'bof', 'plus ou moins', 'on essaie', 'oui mais pas a jour'])
      expect(read(text).partial, text).toBe(true);
    expect(read('oui').partial).toBe(false);
    const c = read("pour la question d'avant c'etait plutot non");
    expect(c.previous).toBe(true);
    expect(c.corrected).toBe('non');
    expect(read('je me suis trompe, je travaille a la mairie')).toMatchObject({
      correction: true,
      audience: 'collectivite',
    });
  });

  it('follow-ups on a fiche', () => {
    expect(read('ca coute combien ?').followup).toBe('cost');
    expect(read('et qui l a deja fait ?').followup).toBe('example');
    expect(read('il faut quel niveau ?').followup).toBe('level');
    expect(read('c est complique ?').followup).toBe('effort');
    expect(read('et pour moi ?').followup).toBe('me');
  });
});
