/**
 * What the town team reads about the person (issue 18): public, town, activity, level or bilans,
 * chosen objective and the last exchanges, as Slack section fields, and the very same list shown
 * to the person before they agree.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getCatalog } from '../../catalog/load.js';
import type { ClicContext } from '../../flows/types.js';
import { contextFields, storedContext } from '../../src/handover/context.js';
import {
  CONSENT_INTRO,
  CONSENT_LAST_MESSAGES,
  CONSENT_SLACK_WARNING,
} from '../../src/handover/service.js';
import { HANDOVER_ACTIONS } from '../../src/handover/triggers.js';
import { callbackUpdate, commandUpdate, textUpdate } from '../telegram/fixtures/updates.js';
import { createHandoverHarness, type HandoverHarness, keyboard, visible } from './harness.js';

let h: HandoverHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the context of a request', () => {
  it('a merchant after the diagnostic: the consent lists what the Slack fields then show', async () => {
    const t = await createHandoverHarness();
    h = t;
    await t.telegramUpdate(commandUpdate(1, '/diagnostic'));
    let id = 2;
    for (const answer of ['boulangerie', 'oui', 'non', 'non', 'non', 'non'])
      await t.telegramUpdate(textUpdate(id++, answer));
    const objective = keyboard(t.telegram.at(-1)).find((b) => b.callback_data.startsWith('obj:'));
    expect(objective).toBeDefined();
    await t.telegramUpdate(callbackUpdate(id++, objective?.callback_data ?? ''));

    await t.telegramUpdate(textUpdate(id++, 'je voudrais parler à quelqu’un'));
    const consent = visible(t.telegram.at(-1)?.text);
    expect(consent.startsWith(CONSENT_INTRO)).toBe(true);
    expect(consent).toContain(CONSENT_SLACK_WARNING);
    const listed = consent
      .split('\n')
      .filter((line) => line.startsWith('• '))
      .map((line) => line.slice(2));
    expect(listed.at(-1)).toBe(CONSENT_LAST_MESSAGES);
    const shown = listed.slice(0, -1);
    expect(shown).toEqual([
      'Commune : Dole',
      'Public : Commerçant',
      'Activité : Alimentaire',
      'Niveau numérique : faible',
      `Objectif choisi : ${objective?.text}`,
    ]);

    await t.telegramUpdate(callbackUpdate(id++, HANDOVER_ACTIONS.consent));
    const request = t.calls('chat.postMessage')[0]?.args ?? {};
    const blocks = request.blocks as {
      type: string;
      text?: { text: string };
      fields?: { type: string; text: string }[];
    }[];
    expect(blocks[0]?.text?.text).toBe(
      'Demande d’échange avec l’équipe — Telegram · Dole · Commerçant',
    );
    const fields = blocks[1]?.fields ?? [];
    expect(fields.every((f) => f.type === 'plain_text')).toBe(true);
    // The same list as the consent, after the channel.
    expect(fields.map((f) => f.text)).toEqual(['Canal : Telegram', ...shown]);
    // The last exchanges: the person's words and the assistant's, oldest first.
    const exchanges = blocks[2]?.text?.text ?? '';
    expect(exchanges).toMatch(/^Derniers échanges :\n/);
    expect(exchanges).toContain(`👤 ${objective?.text}`);
    expect(exchanges.indexOf('👤 non')).toBeLessThan(exchanges.indexOf(`👤 ${objective?.text}`));
    expect(t.violations).toEqual([]);
  });

  it('a town after the individuel bilan: the bilans and the public « Collectivité »', () => {
    const catalog = getCatalog();
    const ctx: ClicContext = {
      audience: 'collectivite',
      town: 'Dole',
      answers: { connectes: 70, 'reseaux-sociaux': 20, 'fiche-google': 30 },
      seq: 9,
      prompt: { kind: 'done', flow: 'territoire' },
    };
    const fields = contextFields(catalog, ctx);
    expect(fields[0]).toEqual(['Public', 'Collectivité']);
    const bilans = fields.find(([label]) => label === 'Bilans');
    expect(bilans?.[1]).toMatch(/^Commerçant individuel : .+/);
    expect(fields.some(([label]) => label === 'Niveau numérique')).toBe(false);
    // A visitor who only chose an objective.
    const visitor = contextFields(catalog, {
      audience: 'visiteur',
      objective: 'o2',
      answers: {},
      seq: 1,
      prompt: { kind: 'menu' },
    });
    const o2 = catalog.objectives.find((o) => o.id === 'o2');
    expect(visitor).toEqual([
      ['Public', 'Visiteur'],
      ['Objectif choisi', o2?.menuLabel],
    ]);
  });

  it('reads the stored snapshot through the dialogue’s schema only', () => {
    expect(storedContext({ snapshot: { context: { audience: 'pirate' } } })).toBeUndefined();
    expect(storedContext('junk')).toBeUndefined();
    expect(storedContext(undefined)).toBeUndefined();
    const context = { answers: {}, list: [], index: -1, seq: 0, prompt: { kind: 'menu' } };
    expect(storedContext({ snapshot: { context } })).toEqual(context);
  });
});
