/**
 * One transcript per dialogue through the terminal channel (issue 5), asserting what the user
 * reads: numbers pick choices, free text is understood, and the runtime stores the conversation.
 */
import { describe, expect, it } from 'vitest';
import { choicesOf, lineToEvent } from '../../adapters/console/inbound.js';
import { renderTurn } from '../../adapters/console/render.js';
import { createConsoleSession } from '../../adapters/console/session.js';
import { createDialogueEngine } from '../../src/dialogue/engine.js';
import { createLogger } from '../../src/logger.js';
import type { Reply } from '../../src/reply/model.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import type { Effect } from '../../src/runtime/types.js';
import { createMemoryStore } from '../../src/storage/memory.js';

const engine = createDialogueEngine();

function setup(options: { start?: string; town?: string } = {}) {
  const effects: Effect[] = [];
  const store = createMemoryStore();
  const runtime = createRuntime({
    engine,
    store,
    logger: createLogger({ level: 'silent' }),
    onEffect: (effect) => {
      effects.push(effect);
    },
  });
  const session = createConsoleSession({ runtime, ...options, now: () => new Date('2026-03-15') });
  return { runtime, session, effects, store };
}

/** The number in front of a choice, as the terminal shows it (« 3) Label »). */
function numberOf(screen: string, label: string): string {
  const line = screen.split('\n').find((l) => l.trim().match(/^\d+\) /) && l.includes(label));
  if (!line) throw new Error(`no choice « ${label} » in:\n${screen}`);
  return line.trim().split(')')[0] as string;
}

describe('terminal transcripts', () => {
  it('a baker’s full self-diagnostic ends on her level, her first step and the consent question', async () => {
    const { session } = setup({ start: 'diagnostic-commercant' });
    let screen = await session.open();
    expect(screen).toContain('dans quel secteur');
    screen = await session.send(numberOf(screen, 'Alimentaire'));
    expect(screen).toContain('Question 1/4 — ');
    screen = await session.send('oui');
    expect(screen).toContain('Question 2/4 — ');
    screen = await session.send(numberOf(screen, 'Non'));
    expect(screen).toContain('Question 3/4 — ');
    screen = await session.send('pas vraiment');
    expect(screen).toContain('Question 4/4 — ');
    screen = await session.send('non');
    expect(screen).toContain('Dans quelle ville');
    screen = await session.send('Sens');
    // P1 only → « faible » (SPEC §4: faible if P1 or P2), said to be our reading of the guide.
    expect(screen).toContain('Votre niveau numérique estimé : faible.');
    expect(screen).toContain('notre lecture des prérequis du guide');
    expect(screen).toContain('Votre première étape : ');
    expect(screen).toContain('Acceptez-vous que vos réponses soient comptées, anonymement');
    screen = await session.send('non');
    expect(screen).toContain('rien n’est compté');
    expect(screen).toMatch(/\d\) Menu/);
  });

  it('a territory answered « 45 » for the web-active share ends on training first', async () => {
    const { session } = setup({ start: 'diagnostic-territoire' });
    let screen = await session.open();
    expect(screen).toContain('Question 1/3 — ');
    screen = await session.send('80 %');
    screen = await session.send('45');
    expect(screen).toContain('Question 3/3 — ');
    screen = await session.send('un tiers');
    // Guide p. 39: below 60 % web-active, the offer is « insuffisamment gérée »: train first.
    expect(screen).toContain('à renforcer');
    expect(screen).toContain('45 %');
    expect(screen).toContain('60 %');
    screen = await session.send(numberOf(screen, 'Voir la feuille de route'));
    expect(screen).toContain('Dans quelle région');
    screen = await session.send('Bourgogne-Franche-Comté');
    // One short summary (issue 16): the first thing to launch, the next ★ step, what waits.
    expect(screen).toMatch(/À lancer d’abord : Formation en ligne ou via un lieu dédié/);
    expect(screen).toMatch(/Prochaine étape ★ : /);
    expect(screen).toContain('Votre contact Banque des Territoires Bourgogne Franche-Comté');
    // The marketplace is named among the postponed fiches.
    expect(screen).toMatch(/Plus tard : [^\n]*Place de marché numérique/);
    // Buttons open the rest: the roadmap, the fiches to launch, the funding.
    screen = await session.send(numberOf(screen, 'Les fiches à lancer'));
    expect(screen).toContain('[ Formation en ligne ou via un lieu dédié ]');
    screen = await session.send(numberOf(screen, 'Feuille de route : commerçants'));
    expect(screen.indexOf('★')).toBeGreaterThan(-1);
    screen = await session.send(numberOf(screen, 'Financements'));
    expect(screen).toContain('Financements mentionnés dans le guide');
  });

  it('objective → fiche → détails', async () => {
    const { session } = setup();
    let screen = await session.open();
    screen = await session.send(numberOf(screen, 'Collectivité'));
    screen = await session.send(numberOf(screen, 'Attirer du monde en centre-ville'));
    expect(screen).toContain('Je souhaite développer l');
    expect(screen).toContain('[ Stationnement intelligent ]');
    const cardStart = screen.indexOf('[ Stationnement intelligent ]');
    const afterCard = screen.slice(cardStart);
    screen = await session.send(numberOf(afterCard, 'Voir la fiche'));
    expect(screen).toContain('[ Stationnement intelligent ]');
    expect(screen).toContain('Troyes');
    screen = await session.send(numberOf(screen, 'Détails'));
    expect(screen).toContain('Stationnement intelligent — détails');
    // The rest on a second page, so that each fits a phone (issue 16).
    const second = await session.send(numberOf(screen, 'Détails (suite)'));
    for (const part of ['Impacts (+ à +++)', 'Points de vigilance', 'Coûts indicatifs'])
      expect(`${screen}\n${second}`).toContain(part);
    screen = second;
    screen = await session.send('retour');
    expect(screen).toContain('Fiche 7');
  });

  it('free text « je veux vendre en ligne » lands on objective o5', async () => {
    const { session } = setup();
    await session.open();
    const screen = await session.send('je veux vendre en ligne');
    expect(screen).toContain('Vendre par de nouveaux canaux : c’est noté.');
    expect(screen).toContain(
      'Je souhaite permettre aux commerçants de développer de nouveaux canaux de vente',
    );
    expect(screen).toContain('[ Site de vente en ligne ]');
  });

  it('« retour » goes back one question and « recommencer » restarts the diagnostic', async () => {
    const { session } = setup({ start: 'diagnostic-commercant' });
    await session.open();
    await session.send('boulangerie');
    await session.send('oui');
    let screen = await session.send('non');
    expect(screen).toContain('Question 3/4 — ');
    screen = await session.send('retour');
    expect(screen).toContain('Question 2/4 — ');
    expect(screen).toContain('démarche marketing');
    screen = await session.send('recommencer');
    expect(screen).toContain('C’est reparti depuis le début.');
    expect(screen).toContain('dans quel secteur');
  });

  it('politeness is answered in kind, wherever the dialogue is, and the dialogue stays there', async () => {
    const { session } = setup();
    let screen = await session.open();
    // « Bonjour » typed at the welcome: greeted, asked again, not « pas compris ».
    screen = await session.send('Bonjour !');
    expect(screen).toContain('Bonjour 👋');
    expect(screen).toContain('Vous êtes…');
    expect(screen).not.toContain('pas bien compris');
    screen = await session.send(numberOf(screen, 'Commerçant·e'));
    screen = await session.send(numberOf(screen, 'Faire mon diagnostic'));
    screen = await session.send('boulangerie');
    expect(screen).toContain('Question 1/4 — ');
    // A greeting mid-diagnostic repeats the same question; an answer still counts.
    screen = await session.send('bonjour');
    expect(screen).toContain('Bonjour 👋 Je vous écoute.');
    expect(screen).toContain('Question 1/4 — ');
    // « Au revoir » does not ask again, it offers to resume.
    screen = await session.send('au revoir');
    expect(screen).toContain('Au revoir, et bonne continuation');
    expect(screen).not.toContain('Question 1/4');
    screen = await session.send(numberOf(screen, 'Reprendre la question'));
    expect(screen).toContain('Question 1/4 — ');
    // « d'accord » where a yes/no question is asked is a yes, not an acknowledgement.
    screen = await session.send('d’accord');
    expect(screen).toContain('Question 2/4 — ');
  });

  it('« Bonjour » as the very first message (no /start) gets the welcome once', async () => {
    const { runtime } = setup();
    const ctx = { channel: 'telegram' as const, userRef: '7', now: new Date() };
    const first = await runtime.turn('telegram:7', { type: 'text', text: 'Bonjour' }, ctx);
    const screen = renderTurn(first.replies);
    expect(screen.split('Je suis l’assistant Clic Centre-Ville')).toHaveLength(2);
    expect(screen).toContain('Vous êtes…');
    expect(screen).not.toContain('pas bien compris');
    // Later, a greeting at the same question is answered (the welcome again).
    const again = await runtime.turn('telegram:7', { type: 'text', text: 'salut' }, ctx);
    expect(renderTurn(again.replies)).toContain('Vous êtes…');
  });

  it('« par où commencer ? » starts the diagnostic that fits, unless an objective is named', async () => {
    const merchant = setup();
    let screen = await merchant.session.open();
    screen = await merchant.session.send(numberOf(screen, 'Commerçant·e'));
    screen = await merchant.session.send('Je ne sais pas par où commencer…');
    expect(screen).toContain('dans quel secteur est votre commerce');
    const town = setup();
    screen = await town.session.open();
    screen = await town.session.send(numberOf(screen, 'Collectivité'));
    screen = await town.session.send('que me conseillez-vous ?');
    expect(screen).toContain('Question 1/');
    expect(screen).toContain('Quelle part des commerçants du centre-ville');
    screen = await town.session.send('menu');
    screen = await town.session.send('par où commencer pour vendre en ligne ?');
    expect(screen).toContain('Vendre par de nouveaux canaux : c’est noté.');
  });

  it('« merci » after a fiche thanks without showing the fiche again; its buttons still work', async () => {
    const { runtime } = setup();
    const ctx = { channel: 'console' as const, userRef: 'me', now: new Date() };
    const key = 'console:thanks';
    const fiche = await runtime.turn(
      key,
      { type: 'start', entry: 'fiche-stationnement-intelligent' },
      ctx,
    );
    const details = choicesOf(fiche.replies).find((b) => b.label === 'Détails');
    expect(details).toBeDefined();
    const thanks = await runtime.turn(key, { type: 'text', text: 'Merci beaucoup !' }, ctx);
    const screen = renderTurn(thanks.replies);
    expect(screen).toContain('Avec plaisir !');
    expect(screen).not.toContain('Stationnement intelligent');
    expect(choicesOf(thanks.replies).map((b) => b.label)).toEqual(['Menu']);
    const ok = await runtime.turn(key, { type: 'text', text: 'ok' }, ctx);
    expect(renderTurn(ok.replies)).toContain('Très bien !');
    expect(renderTurn(ok.replies)).not.toContain('pas bien compris');
    const after = await runtime.turn(
      key,
      { type: 'action', action: details?.action as string },
      ctx,
    );
    expect(renderTurn(after.replies)).toContain('Stationnement intelligent — détails');
  });

  it('a stale button gets a friendly resync with the current question', async () => {
    const { runtime } = setup();
    const ctx = { channel: 'console' as const, userRef: 'me', now: new Date() };
    const key = 'console:stale';
    const open = await runtime.turn(key, { type: 'start', entry: 'diagnostic-commercant' }, ctx);
    const sector = await runtime.turn(key, { type: 'text', text: 'boulangerie' }, ctx);
    const q1Yes = choicesOf(sector.replies).find((b) => b.label === 'Oui');
    expect(q1Yes).toBeDefined();
    await runtime.turn(key, { type: 'action', action: q1Yes?.action as string }, ctx);
    const again = await runtime.turn(key, { type: 'action', action: q1Yes?.action as string }, ctx);
    const screen = renderTurn(again.replies);
    expect(screen).toContain('Ce bouton date d’une étape précédente. Reprenons');
    expect(screen).toContain('Question 2/4 — ');
    expect(open.outcome).toBe('ok');
    expect(again.outcome).toBe('ok');
  });

  it('« oublier mes données » confirms, then erases the conversation and the consent', async () => {
    const { session, runtime, effects } = setup({ start: 'diagnostic-commercant' });
    await session.open();
    for (const line of ['alimentaire', 'oui', 'oui', 'oui', 'non', 'Auxerre', 'oui'])
      await session.send(line);
    expect(effects).toEqual([
      expect.objectContaining({
        type: 'observatory-record',
        record: expect.objectContaining({ town: 'Auxerre', level: 'moyen', month: '2026-03' }),
      }),
    ]);
    let screen = await session.send('oublier mes données');
    expect(screen).toContain('Voulez-vous vraiment effacer vos données');
    screen = await session.send(numberOf(screen, 'Oui, tout effacer'));
    expect(screen).toContain('C’est fait');
    expect(await runtime.transcript('console:local')).toBeUndefined();
  });

  it('bad input through the terminal: a kind answer, and the question still stands', async () => {
    const { session } = setup({ start: 'diagnostic-commercant' });
    await session.open();
    await session.send('boulangerie');
    for (const line of ['', 'x'.repeat(10_000), '🙂🙂🙂']) {
      const screen = await session.send(line);
      expect(screen).not.toContain('souci technique');
      expect(screen.length).toBeGreaterThan(10);
    }
    const screen = await session.send('oui');
    expect(screen).toContain('Question 2/4 — ');
  });

  it('a scripted transcript reads like a conversation (for piping)', async () => {
    const { session } = setup();
    const transcript = await session.script(['1', 'menu', 'aide']);
    expect(transcript).toContain('> 1');
    expect(transcript).toContain('Que souhaitez-vous ?');
    expect(transcript).toContain('« retour » (question précédente)');
  });
});

describe('terminal inbound and render', () => {
  const reply: Reply = {
    text: 'Vous êtes…',
    blocks: [{ type: 'paragraph', spans: [{ text: 'Vous êtes', bold: true }, { text: '…' }] }],
    cards: [
      {
        title: 'Carte',
        lines: [[{ text: 'une ligne' }]],
        buttons: [{ label: 'Voir', action: 'fiche:x' }],
      },
    ],
    buttons: [{ label: 'Menu', action: 'nav:menu' }],
  };

  it('numbers card buttons first, then the reply’s own, and a number picks that choice', () => {
    const screen = renderTurn([reply]);
    expect(screen).toContain('1) Voir');
    expect(screen).toContain('2) Menu');
    expect(screen).toContain('    [ Carte ]');
    expect(lineToEvent('2', choicesOf([reply]))).toEqual({ type: 'action', action: 'nav:menu' });
    expect(lineToEvent('9', choicesOf([reply]))).toEqual({ type: 'text', text: '9' });
    expect(lineToEvent('menu', choicesOf([reply]))).toEqual({ type: 'text', text: 'menu' });
  });

  it('uses ANSI bold only when asked (a TTY), plain text otherwise', () => {
    expect(renderTurn([reply])).not.toContain('\u001b[');
    expect(renderTurn([reply], { ansi: true })).toContain('\u001b[1mVous êtes\u001b[22m');
  });
});

describe('terminal with a SQLite data dir', () => {
  it('a conversation continues after the terminal is restarted on the same data', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createSqliteStore } = await import('../../src/storage/sqlite.js');
    const dir = mkdtempSync(join(tmpdir(), 'clic-console-'));
    try {
      const open = async () => {
        const store = createSqliteStore({ dir });
        const runtime = createRuntime({ engine, store, logger: createLogger({ level: 'silent' }) });
        return { store, runtime, session: createConsoleSession({ runtime }) };
      };
      const first = await open();
      await first.session.open();
      await first.session.send('diagnostic');
      const q = await first.session.send('je suis commerçant');
      expect(q).toContain('Que souhaitez-vous ?');
      await first.runtime.close();
      await first.store.close();

      const second = await open();
      const resumed = await second.session.resume();
      expect(resumed).toContain('Reprise de notre conversation');
      expect(resumed).toContain('Que souhaitez-vous ?');
      const next = await second.session.send(numberOf(resumed, 'Faire mon diagnostic'));
      expect(next).toContain('dans quel secteur');
      await second.runtime.close();
      await second.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
