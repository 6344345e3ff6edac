/**
 * What a town-centre manager sees with `/centreville` (SPEC §5–§6, DIALOGUES §2): the menu, help,
 * a fiche found from a few words, contacts and funding, buttons that continue the dialogue, and
 * user text shown as text (never as Slack markup).
 */
import { describe, expect, it } from 'vitest';
import type { BilanRequest } from '../../adapters/slack/channel.js';
import { makeReply, para } from '../../src/reply/build.js';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createStack, storeClock } from '../observatory/helpers.js';
import {
  blockActionPayload,
  buttonsOf,
  closeSlackAppsAfterEach,
  createSlackTestApp,
  lastHook,
  type SlackTestApp,
  shownText,
} from './helpers.js';

let t: SlackTestApp | undefined;
closeSlackAppsAfterEach();

describe('/centreville — the menu', () => {
  it('offers the five objectives, the diagnostic, search and contacts, privately', async () => {
    t = await createSlackTestApp();
    const response = await t.command('');
    expect(response.statusCode).toBe(200);
    const menu = await lastHook(t, 1);
    expect(menu.response_type).toBe('ephemeral');
    const labels = buttonsOf(menu).map((b) => b.label);
    expect(labels).toEqual([
      'Diagnostic du territoire',
      'Comprendre les enjeux du numérique',
      'Être trouvé·e et me faire connaître',
      'Attirer du monde en centre-ville',
      'Gagner en efficacité et en marge',
      'Vendre par de nouveaux canaux',
      'Chercher une fiche',
      'Contacts et financement',
    ]);
    // Issue 8: « bilan des commerçants » stays out of the menu until the observatory exists.
    expect(labels.join(' ')).not.toMatch(/bilan/i);
    expect(shownText(menu)).toContain('pour Dole');
    expect(typeof menu.text).toBe('string');
  });

  it('shows « Bilan des commerçants » once an observatory is plugged in', async () => {
    t = await createSlackTestApp({
      bilan: async () => [makeReply({ blocks: [para('12 réponses à Dole.')] })],
    });
    await t.command('');
    const menu = await lastHook(t, 1);
    expect(buttonsOf(menu).map((b) => b.label)).toContain('Bilan des commerçants');
    await t.command('bilan');
    expect(shownText(await lastHook(t, 2))).toContain('12 réponses à Dole.');
  });

  it('/centreville bilan without an observatory says so plainly, no fake figures', async () => {
    t = await createSlackTestApp();
    await t.command('bilan');
    const message = await lastHook(t, 1);
    expect(shownText(message)).toContain('pas encore disponible');
    expect(shownText(message)).not.toMatch(/\d+ ?%/);
  });

  it('/centreville aide: the dialogue’s help (the welcome once), then the subcommands', async () => {
    t = await createSlackTestApp();
    await t.command('aide');
    const help = shownText(await lastHook(t, 1));
    expect(help).toContain('À tout moment');
    expect(help.split('Je suis l’assistant Clic Centre-Ville')).toHaveLength(2);
    const text = shownText(await lastHook(t, 2));
    for (const sub of ['diagnostic', 'fiche &lt;mots&gt;', 'contact', 'oubli']) {
      expect(text).toContain(`/centreville ${sub}`);
    }
  });

  it('an objective button continues through the dialogue: objective o3 lists its solutions', async () => {
    t = await createSlackTestApp();
    await t.command('');
    const menu = await lastHook(t, 1);
    const o3 = buttonsOf(menu).find((b) => b.label === 'Attirer du monde en centre-ville');
    expect(o3?.value).toBe('objectif-3');
    await t.interact(blockActionPayload(o3?.actionId ?? '', o3?.value ?? ''));
    const reply = await lastHook(t, 2);
    expect(shownText(reply)).toContain('Stationnement intelligent');
    expect(t.hooks[1]?.path).toMatch(/^\/actions\//);
  });
});

describe('/centreville fiche <mots>', () => {
  it("« fiche où se garer » finds Stationnement intelligent (guide p. 26) through the dialogue's search, then its details", async () => {
    t = await createSlackTestApp();
    await t.command('fiche où se garer, places de parking');
    const message = await lastHook(t, 1);
    expect(shownText(message)).toContain('*Stationnement intelligent*');
    const open = buttonsOf(message).find((b) => b.value === 'fiche:stationnement-intelligent');
    if (!open) throw new Error('no button to the fiche');
    // The buttons continue the same conversation through the runtime.
    await t.interact(blockActionPayload(open.actionId, open.value));
    const fiche = await lastHook(t, 2);
    const details = buttonsOf(fiche).find((b) => /détails/i.test(b.label));
    if (!details) throw new Error('no details button');
    await t.interact(blockActionPayload(details.actionId, details.value));
    const more = await lastHook(t, 3);
    expect(shownText(more)).toMatch(/Stationnement intelligent — détails/);
  });

  it('text the user typed is shown escaped, never as a mention or markup', async () => {
    const store = createMemoryStore({ now: storeClock });
    const { observatory } = createStack(store);
    t = await createSlackTestApp({
      bilan: (request?: BilanRequest) =>
        observatory.bilan({ ...(request?.town ? { town: request.town } : {}) }),
    });
    await t.command('bilan <!channel> & <b>');
    const message = await lastHook(t, 1);
    const text = shownText(message);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;b&gt;');
    expect(text).not.toContain('<!channel>');
    expect(String(message.text)).not.toContain('<!channel>');
    await store.close();
  });

  it('/centreville fiche with no words opens the search window on the trigger_id', async () => {
    t = await createSlackTestApp();
    await t.command('fiche');
    await t.channel.drain();
    const open = t.api.find((c) => c.method === 'views.open');
    expect(open?.args.trigger_id).toMatch(/^13345224609\./);
    expect((open?.args.view as { callback_id?: string } | undefined)?.callback_id).toBe(
      'cv-search',
    );
  });
});

describe('/centreville contact, through the dialogue', () => {
  it('gives the Bourgogne-Franche-Comté contact of the guide (p. 43) and the funding, with the caveat', async () => {
    t = await createSlackTestApp();
    await t.command('contact');
    const text = shownText(await lastHook(t, 1));
    expect(text).toContain('bourgogne-franche-comte@caissedesdepots.fr');
    expect(text).toContain("7 millions d'euros");
    expect(text).toContain('vérifiez auprès de la Banque des');
    expect(text).not.toContain('Dans quelle région');
  });

  it('without a known region, asks it as the web and Telegram do; a region button gives its contact', async () => {
    t = await createSlackTestApp({ townRegion: 'Atlantide' });
    await t.command('contact');
    const asked = await lastHook(t, 1);
    expect(shownText(asked)).toContain('Dans quelle région êtes-vous ?');
    const brittany = buttonsOf(asked).find((b) => b.label === 'Bretagne');
    if (!brittany) throw new Error('no Bretagne button');
    await t.interact(blockActionPayload(brittany.actionId, brittany.value));
    const text = shownText(await lastHook(t, 2));
    expect(text).toContain('bretagne@caissedesdepots.fr');
  });
});
