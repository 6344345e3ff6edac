/**
 * Neutral replies → Block Kit (PLATFORMS.md, Slack limits) and the app manifest. Every rendered
 * message goes through the limits validator.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackManifest, slackManifestYaml } from '../../adapters/slack/manifest.js';
import { buildDiagnosticModal, buildSearchModal } from '../../adapters/slack/modal.js';
import { escapeMrkdwn, renderReplies, spanToMrkdwn } from '../../adapters/slack/render.js';
import { helpReply, menuReply } from '../../adapters/slack/replies.js';
import { getCatalog } from '../../catalog/load.js';
import { bold, button, card, link, list, makeReply, para } from '../../src/reply/build.js';
import { assertBlockKitMessage, assertModalView } from './block-kit-limits.js';
import { buttonsOf, shownText } from './helpers.js';

const catalog = getCatalog();

function renderChecked(...replies: Parameters<typeof renderReplies>[0]) {
  const messages = renderReplies(replies);
  for (const m of messages) assertBlockKitMessage(m);
  return messages;
}

describe('mrkdwn escaping (PLATFORMS.md: replace only &, <, >)', () => {
  it('escapes & first, then < and >, and nothing else', () => {
    expect(escapeMrkdwn('<!channel> & <b>*gras*</b>')).toBe(
      '&lt;!channel&gt; &amp; &lt;b&gt;*gras*&lt;/b&gt;',
    );
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });

  it('bold, italic and links keep their text escaped; a link never breaks out of <url|label>', () => {
    expect(spanToMrkdwn(bold(' A & B '))).toBe(' *A &amp; B* ');
    expect(spanToMrkdwn(link('x > y', 'https://ex.fr/a|b>c'))).toBe(
      '<https://ex.fr/a%7Cb%3Ec|x &gt; y>',
    );
    expect(spanToMrkdwn(link('site', 'javascript:alert(1)'))).toBe('site (javascript:alert(1))');
  });

  it('the fallback text is escaped too', () => {
    const [m] = renderChecked(makeReply({ blocks: [para('1 < 2 & 3 > 2')] }));
    expect(m?.text).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });
});

describe('limits: long content is split, never cut', () => {
  it('a 20 000-character paragraph becomes several sections of ≤ 3000, losing no word', () => {
    const words = Array.from({ length: 2500 }, (_, i) => `mot${i}`);
    const messages = renderChecked(makeReply({ blocks: [para(words.join(' & '))] }));
    const all = messages.map((m) => shownText(m as unknown as Record<string, unknown>)).join(' ');
    for (const w of ['mot0', 'mot1249', 'mot2499']) expect(all).toContain(w);
    expect(all.match(/mot\d+/g)).toHaveLength(2500);
  });

  it('70 cards go over several messages of ≤ 50 blocks, buttons kept, action ids unique', () => {
    const cards = Array.from({ length: 70 }, (_, i) =>
      card({
        title: `Carte ${i}`,
        lines: ['Une ligne'],
        buttons: [button(`Voir ${i}`, `fiche:${i}`)],
      }),
    );
    const messages = renderChecked(makeReply({ blocks: [para('Début')], cards }));
    expect(messages.length).toBe(2);
    const buttons = messages.flatMap((m) => buttonsOf(m as unknown as Record<string, unknown>));
    expect(buttons).toHaveLength(70);
    expect(new Set(buttons.map((b) => b.actionId)).size).toBe(70);
    expect(buttons[69]?.value).toBe('fiche:69');
  });

  it('30 choices become actions blocks of at most 5 buttons (Slack allows 25)', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => button(`Choix ${i}`, `c:${i}`));
    const [m] = renderChecked(makeReply({ blocks: [para('Choisissez')], buttons }));
    const rows = (m?.blocks ?? []).filter((b) => b.type === 'actions');
    expect(rows).toHaveLength(6);
  });

  it('progress shows as « Question 2/4 » in a context block', () => {
    const [m] = renderChecked(
      makeReply({ blocks: [para('Votre réponse ?')], progress: { current: 2, total: 4 } }),
    );
    expect(m?.blocks[0]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Question 2/4' }],
    });
  });

  it('a bare reply (text only) is still shown, and a list keeps its numbers', () => {
    const [bare] = renderChecked({ text: 'Juste du texte', blocks: [] });
    expect(shownText(bare as unknown as Record<string, unknown>)).toBe('Juste du texte');
    const [numbered] = renderChecked(makeReply({ blocks: [list(['a', 'b'])] }));
    expect(shownText(numbered as unknown as Record<string, unknown>)).toBe('• a\n• b');
  });
});

describe('the channel’s own screens fit Block Kit', () => {
  it('menu and help', () => {
    renderChecked(menuReply(catalog, { townName: 'Saint-Dié <des> & Vosges' }));
    renderChecked(helpReply('/centreville', { withBilan: true }));
  });

  it('a fallback longer than 3 000 characters is shortened at a word, never inside an escape', () => {
    const words = Array.from({ length: 1200 }, (_, i) => `mot${i} &`);
    const [m] = renderChecked(makeReply({ blocks: [para(words.join(' '))] }));
    expect([...(m?.text ?? '')].length).toBeLessThanOrEqual(3000);
    expect(m?.text).toMatch(/mot\d+ &amp;…$|mot\d+…$/);
    // The blocks keep every word.
    const shown = shownText(m as unknown as Record<string, unknown>);
    expect(shown).toContain('mot1199 &amp;');
  });

  it('the diagnostic and search modals respect every modal limit', () => {
    assertModalView(
      buildDiagnosticModal(catalog, {
        responseUrl: 'https://hooks.slack.com/commands/T/1/x',
        channelId: 'C1',
      }),
    );
    assertModalView(buildSearchModal());
  });
});

describe('app manifest (one paste)', () => {
  it('points the command and interactivity at PUBLIC_URL/slack/events with minimal scopes', () => {
    const manifest = slackManifest({ publicUrl: 'https://cv.dole.fr/' }) as {
      features: {
        slash_commands: { command: string; url: string; usage_hint: string; description: string }[];
      };
      settings: {
        interactivity: { is_enabled: boolean; request_url: string };
        socket_mode_enabled: boolean;
      };
      oauth_config: { scopes: { bot: string[] } };
    };
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe('/centreville');
    expect(command?.url).toBe('https://cv.dole.fr/slack/events');
    expect(command?.usage_hint).toContain('diagnostic');
    expect(command?.description.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://cv.dole.fr/slack/events',
    });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.bot).toEqual(['commands', 'chat:write']);
  });

  it('the committed manifest.yaml is the generated one for the placeholder URL', () => {
    const committed = readFileSync(
      new URL('../../adapters/slack/manifest.yaml', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(slackManifestYaml({ publicUrl: 'https://assistant.ville-exemple.fr' }));
    expect(parse(committed).settings.interactivity.request_url).toBe(
      'https://assistant.ville-exemple.fr/slack/events',
    );
  });
});

describe('the validator itself', () => {
  it('refuses what Slack would refuse', () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(() =>
      assertBlockKitMessage({ text: 'ok', blocks: Array.from({ length: 51 }, () => section('x')) }),
    ).toThrow(/51 > 50/);
    expect(() =>
      assertBlockKitMessage({ text: 'ok', blocks: [section('a'.repeat(3001))] }),
    ).toThrow(/3001 > 3000/);
    expect(() => assertBlockKitMessage({ text: 'ok', blocks: [section('<b> & co')] })).toThrow(
      /unescaped/,
    );
    expect(() => assertBlockKitMessage({ blocks: [section('x')] })).toThrow(/fallback/);
    const longButton = {
      type: 'button',
      action_id: 'a',
      text: { type: 'plain_text', text: 'b'.repeat(76) },
      value: 'v',
    };
    expect(() =>
      assertBlockKitMessage({ text: 'ok', blocks: [{ type: 'actions', elements: [longButton] }] }),
    ).toThrow(/76 > 75/);
    expect(() =>
      assertModalView({
        type: 'modal',
        title: { type: 'plain_text', text: 'Un titre beaucoup trop long' },
        blocks: [],
      }),
    ).toThrow(/title/);
  });
});
