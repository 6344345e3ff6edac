/**
 * One dialogue for every channel (issue 17): the same scripted dialogue, played by a person on
 * the web widget, on Telegram, on Slack and in the terminal, shows the same content on all four —
 * and the Slack « Diagnostic du territoire » modal ends on the very result the typed answers give.
 *
 * Each channel is driven through its real entry point (./drivers.ts) and read back as neutral
 * content (./content.ts says what is normalised, and why). Turn by turn, every channel is compared
 * with the web's; the tests then check a few facts from the guide in that common content, taken
 * from the catalog rather than quoted.
 */
import { describe, expect, it } from 'vitest';
import { renderReplies } from '../../adapters/slack/render.js';
import { helpReply } from '../../adapters/slack/replies.js';
import { getCatalog } from '../../catalog/load.js';
import { PLAN_LABEL } from '../../src/plan/links.js';
import { state } from '../slack/helpers.js';
import {
  type Content,
  channelDifferences,
  contentOf,
  differences,
  slackMrkdwnToText,
} from './content.js';
import {
  type ChannelDriver,
  type ChannelName,
  DRIVERS,
  slackDriver,
  slackMessageToShown,
} from './drivers.js';

const catalog = getCatalog();

// === Scripts

/** One thing the person does: type a message, or press the button with this label. */
type Step = { readonly say: string } | { readonly press: string };

const ALL: readonly ChannelName[] = ['web', 'telegram', 'slack', 'console'];

/**
 * Plays a script on one channel; the content of each turn. Opened at an entry point, the opening
 * is a turn of its own; else the opening (the welcome, where the channel has one) counts with the
 * first turn: Slack has none, and answers the first `/centreville` text with the welcome and the
 * answer together (see ChannelDriver.start).
 */
async function play(
  driver: ChannelDriver,
  script: readonly Step[],
  entry?: string,
): Promise<Content[]> {
  await driver.start(entry);
  const opening = driver.read();
  const turns: Content[] = entry ? [contentOf(opening)] : [];
  for (const [i, step] of script.entries()) {
    if ('say' in step) await driver.say(step.say);
    else await driver.press(step.press);
    const shown = driver.read();
    turns.push(contentOf(i === 0 && !entry ? [...opening, ...shown] : shown));
  }
  return turns;
}

/** The script's turns on each channel named. */
async function playOn(
  channels: readonly ChannelName[],
  script: readonly Step[],
  entry?: string,
): Promise<Record<string, Content[]>> {
  const byChannel: Record<string, Content[]> = {};
  for (const name of channels) {
    const driver = await DRIVERS[name]();
    try {
      byChannel[name] = await play(driver, script, entry);
    } finally {
      await driver.close();
    }
  }
  return byChannel;
}

/**
 * Plays the script on every channel named, asserts they all showed the same content turn by turn
 * — something in each turn, and a way on (buttons) — and returns that content.
 */
async function sameEverywhere(
  script: readonly Step[],
  channels: readonly ChannelName[] = ALL,
  entry?: string,
): Promise<Content[]> {
  const byChannel = await playOn(channels, script, entry);
  expect(channelDifferences(byChannel, channels[0] as string)).toEqual([]);
  const turns = byChannel[channels[0] as string] ?? [];
  expect(turns).toHaveLength(script.length + (entry ? 1 : 0));
  for (const turn of turns) {
    expect(turn.text.length).toBeGreaterThan(0);
    expect(turn.buttons.length).toBeGreaterThan(0);
  }
  return turns;
}

const fiche = (n: number) => {
  const found = catalog.fiches.find((f) => f.number === n);
  if (!found) throw new Error(`no fiche ${n}`);
  return found;
};
const level = (id: string) => catalog.guide.maturityLevels.find((l) => l.id === id)?.label ?? id;
const region = catalog.contacts.regions.find((r) => r.id === 'bourgogne-franche-comte');
const individuel = catalog.roadmaps.find((r) => r.id === 'individuel');

/** A baker: P1 yes, P2 no, P3 « pas vraiment », P4 no → « faible » (SPEC §4: P1 or P2). */
const MERCHANT: readonly Step[] = [
  { say: 'faire mon diagnostic' },
  { press: 'Diagnostic de mon commerce' },
  { press: 'Alimentaire' },
  { say: 'oui' },
  { press: 'Non' },
  { say: 'pas vraiment' },
  { say: 'non' },
  // The consent question: « non », then the next steps.
  { press: 'Non' },
];

/** A town at 45 % web-active (below the guide's 60 %), then its roadmap, in Bourgogne. */
const TERRITORY: readonly Step[] = [
  { say: 'diagnostic du territoire' },
  { say: '80 %' },
  { say: '45' },
  { say: 'un tiers' },
  { press: 'Voir la feuille de route' },
  { say: 'Bourgogne-Franche-Comté' },
];
/** The turn of TERRITORY that shows the result summary (after the region). */
const TERRITORY_RESULT = TERRITORY.length - 1;

/** The same answers as TERRITORY, in the Slack modal (« un tiers » is 33 %). */
const TERRITORY_MODAL = {
  'individuel.connectes': state.number('80'),
  'individuel.reseaux-sociaux': state.number('45'),
  'individuel.fiche-google': state.number('33'),
};

// === The comparison itself

describe('the content comparison', () => {
  it('sets platform layout aside: message cutting, line breaks, list markers, link addresses', () => {
    const telegram = contentOf([
      { text: 'Votre feuille de route :\n1. Former\n2. Référencer', buttons: [] },
      { text: 'Mon plan d’action', buttons: ['Menu'] },
    ]);
    const terminal = contentOf([
      {
        text: 'Votre feuille de route :\n- Former\n- Référencer\nMon plan d’action (https://clic.example/plan/x)',
        buttons: ['Menu'],
      },
    ]);
    expect(differences(telegram, terminal)).toEqual([]);
    expect(slackMrkdwnToText('*Bilan* : _à renforcer_ &amp; <https://x.example/p|Mon plan>')).toBe(
      'Bilan : à renforcer & Mon plan',
    );
  });

  it('reports a changed word, a changed figure, a missing sentence and a renamed button', () => {
    const base = { text: 'Niveau estimé : faible. Coût : 30 € par mois.', buttons: ['Oui', 'Non'] };
    const variants: Content[] = [
      { ...base, text: base.text.replace('faible', 'fort') },
      { ...base, text: base.text.replace('30', '31') },
      { ...base, text: 'Niveau estimé : faible.' },
      { ...base, buttons: ['Oui', 'Non merci'] },
      { ...base, buttons: ['Oui'] },
    ];
    for (const variant of variants) expect(differences(base, variant)).toHaveLength(1);
    expect(differences(base, { ...base })).toEqual([]);
  });

  it('reports a channel whose real content differs in one turn, naming the channel and the turn', async () => {
    const byChannel = await playOn(['web', 'console'], [{ say: 'je veux vendre en ligne' }]);
    const [turn] = byChannel.console ?? [];
    expect(turn).toBeDefined();
    const altered = { ...(turn as Content), text: (turn as Content).text.replace(/\d/u, '9') };
    expect(channelDifferences(byChannel, 'web')).toEqual([]);
    const reported = channelDifferences({ ...byChannel, console: [altered] }, 'web');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^turn 1, web vs console: text differs/);
    const missing = channelDifferences({ ...byChannel, console: [] }, 'web');
    expect(missing[0]).toBe('console: 0 turns, web: 1');
  });
});

// === The same dialogue on web, Telegram, Slack and the terminal

describe('the same scripted dialogue shows the same content on every channel', () => {
  it('(a) a merchant’s diagnostic, from the first message to the result, the plan and the next steps', async () => {
    const turns = await sameEverywhere(MERCHANT);
    // Four numbered questions, each said once.
    for (const n of [1, 2, 3, 4]) {
      const asked = turns.filter((t) => t.text.includes(`Question ${n}/4`));
      expect(asked).toHaveLength(1);
      expect(asked[0]?.text.split(`Question ${n}/4`)).toHaveLength(2);
    }
    const result = turns[6] as Content;
    expect(result.text).toMatch(new RegExp(`: ${level('faible')}\\b`, 'u'));
    expect(result.text).toContain(fiche(2).title);
    expect(result.text).toContain(PLAN_LABEL);
    const next = turns[7] as Content;
    expect(`${next.text} ${next.buttons.join(' ')}`).toContain(fiche(2).title);
  });

  it('(b) a typed need, « je veux vendre en ligne », then the fiche its card opens', async () => {
    const turns = await sameEverywhere([
      { say: 'je veux vendre en ligne' },
      { press: 'Voir la fiche' },
      { press: 'Détails' },
    ]);
    expect(turns[0]?.text).toContain(fiche(13).title);
    expect(turns[1]?.text).toContain(fiche(13).title);
    expect(turns[1]?.text).toContain(`Fiche ${fiche(13).number}`);
    expect(turns[2]?.text).toContain(fiche(13).title);
  });

  it('(c) a territory diagnostic typed answer by answer, its summary, and one roadmap opened', async () => {
    const turns = await sameEverywhere([...TERRITORY, { press: 'Feuille de route : commerçants' }]);
    const summary = turns[TERRITORY_RESULT] as Content;
    expect(summary.text).toContain('45 %');
    expect(summary.text).toContain(region?.email);
    expect(summary.text).toContain(fiche(1).title);
    expect(summary.text).toContain(PLAN_LABEL);
    const roadmap = turns[TERRITORY_RESULT + 1] as Content;
    for (const step of individuel?.steps ?? []) expect(roadmap.text).toContain(step.title);
    expect(roadmap.text).toContain('★');
  });

  it('(d) the Slack modal with the same answers ends on the same result as (c) on every other channel', async () => {
    const typed = await playOn(['web', 'telegram', 'console', 'slack'], TERRITORY);
    const slack = await slackDriver();
    try {
      await slack.submitDiagnostic(TERRITORY_MODAL);
      // No TOWN_REGION in this deployment: the dialogue asks the region after the bilan, as
      // it does when typed, and the modal cannot answer it for the person.
      const asked = contentOf(slack.read());
      expect(asked.buttons.some((b) => b.startsWith('Bourgogne'))).toBe(true);
      expect(asked.text).not.toContain(region?.email);
      await slack.say('Bourgogne-Franche-Comté');
      const modal = contentOf(slack.read());
      expect(modal.text).toContain(region?.email);
      for (const [name, turns] of Object.entries(typed)) {
        const result = turns[TERRITORY_RESULT] as Content;
        expect(differences(result, modal), `typed on ${name} vs the Slack modal`).toEqual([]);
      }
    } finally {
      await slack.close();
    }
  });

  it('(e) a message it cannot answer: said so, with a way on', async () => {
    const [turn] = await sameEverywhere([{ say: 'tu sais quel temps il fera samedi ?' }]);
    expect(turn?.buttons.length).toBeGreaterThan(0);
  });

  it('(e) « aide » on the web, Telegram and the terminal: the dialogue’s help', async () => {
    const turns = await sameEverywhere(
      [{ say: 'tu sais quel temps il fera samedi ?' }, { say: 'aide' }],
      ['web', 'telegram', 'console'],
    );
    expect(turns[1]?.text).toContain(catalog.guide.source.title);
  });

  /*
   * Slack answers `/centreville aide` with the dialogue's help, as every channel does, then with
   * what only Slack has: its subcommands (a second message of the same turn).
   */
  it('(e) « aide » on Slack: the dialogue’s help, then Slack’s own subcommands', async () => {
    const byChannel = await playOn(
      ['web', 'slack'],
      [{ say: 'tu sais quel temps il fera samedi ?' }, { say: 'aide' }],
    );
    const [webUnknown, webHelp] = byChannel.web as Content[];
    const [slackUnknown, slackHelp] = byChannel.slack as Content[];
    expect(differences(webUnknown as Content, slackUnknown as Content)).toEqual([]);
    const slackOwn = contentOf(
      renderReplies([helpReply('/centreville')]).map((m) => slackMessageToShown({ ...m })),
    );
    const expected: Content = {
      text: `${webHelp?.text} ${slackOwn.text}`,
      buttons: [...(webHelp?.buttons ?? []), ...slackOwn.buttons],
    };
    expect(differences(expected, slackHelp as Content)).toEqual([]);
  });

  it('(g) a deep link to an objective (`data-start`, `/start`, `--start`, `/centreville objectif 3`) and one of its fiches', async () => {
    const o3 = catalog.objectives.find((o) => o.number === 3);
    const turns = await sameEverywhere([{ press: 'Voir la fiche' }], ALL, 'objectif-3');
    expect(turns[0]?.text).toContain(o3?.title);
    // The fiche opened is the first card's: one of the objective's, listed in the opening.
    const opened = catalog.fiches.find((f) => turns[1]?.text.startsWith(f.title));
    expect(opened?.objective).toBe(o3?.id);
    expect(turns[0]?.text).toContain(opened?.title);
    expect(turns[1]?.text).toContain(`Fiche ${opened?.number}`);
  });

  it('(h) « contact » on every channel: the region asked, then its contact', async () => {
    const turns = await sameEverywhere([{ say: 'contact' }, { say: 'Bourgogne-Franche-Comté' }]);
    expect(turns[1]?.text).toContain(region?.email);
  });

  it('(f) « oublier mes données »: the same confirmation, and the same words once erased', async () => {
    const turns = await sameEverywhere([
      { say: 'je veux vendre en ligne' },
      { say: 'oublier mes données' },
      { press: 'Oui, tout effacer' },
    ]);
    // Erased: the conversation starts again from the welcome, as the first turn did.
    expect(turns[2]?.buttons).toEqual(turns[0]?.buttons.slice(0, turns[2]?.buttons.length));
  });
});
