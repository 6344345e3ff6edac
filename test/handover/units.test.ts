/**
 * The small pieces of a handover: which typed words belong to it (checked before the dialogue),
 * which Slack events are a team member's thread reply, how Slack's text reaches the person, the
 * manifest's extra scopes and events, and the metrics' exposition.
 */
import { describe, expect, it } from 'vitest';
import { staffThreadReply } from '../../adapters/slack/channel.js';
import { requestMessage, slackTextToPlain } from '../../adapters/slack/handover.js';
import { slackManifest } from '../../adapters/slack/manifest.js';
import { handoverWord } from '../../src/handover/triggers.js';
import { assertBlockKitMessage } from '../slack/block-kit-limits.js';

describe('handover words', () => {
  it.each([
    ['parler à quelqu’un', 'ask'],
    ["Je voudrais parler a quelqu'un svp", 'ask'],
    ['un humain', 'ask'],
    ['Une VRAIE personne !', 'ask'],
    ['le manager de commerce', 'ask'],
    ['la mairie', 'ask'],
    ['Reprendre avec l’assistant', 'end'],
    ['c’est bon merci', 'end'],
    ['oublier mes données', 'forget'],
  ])('« %s » → %s', (text, word) => {
    expect(handoverWord(text)).toBe(word);
  });

  it.each([
    'Bonjour',
    'un site humain et chaleureux pour ma boutique, avec une page de présentation et des horaires à jour',
    'c’est bon merci pour la fiche, et le stationnement ?',
    'humanité',
    'Quels sont les horaires de la mairie ?',
  ])('« %s » is left to the dialogue', (text) => {
    expect(handoverWord(text)).toBeUndefined();
  });
});

describe('Slack events and text', () => {
  const reply = {
    type: 'message',
    channel: 'C0COMMERCE',
    user: 'U0CLAIRE',
    text: 'Bonjour',
    ts: '2.0',
    thread_ts: '1.0',
  };

  it('takes a person’s thread reply only', () => {
    expect(staffThreadReply(reply)).toEqual({
      channel: 'C0COMMERCE',
      threadTs: '1.0',
      ts: '2.0',
      user: 'U0CLAIRE',
      text: 'Bonjour',
    });
    expect(staffThreadReply({ ...reply, bot_id: 'B1' })).toBeUndefined();
    expect(staffThreadReply({ ...reply, subtype: 'message_changed' })).toBeUndefined();
    expect(staffThreadReply({ ...reply, subtype: 'thread_broadcast' })).toBeUndefined();
    expect(staffThreadReply({ ...reply, thread_ts: undefined })).toBeUndefined();
    expect(staffThreadReply({ ...reply, thread_ts: '2.0' })).toBeUndefined();
    expect(staffThreadReply({ ...reply, text: '  ' })).toBeUndefined();
  });

  it('turns Slack’s markup into the plain text a person reads', () => {
    expect(
      slackTextToPlain(
        'Voir <https://ville.fr/aides|les aides> &amp; <@U123> &lt;b&gt;ok&lt;/b&gt; <!here>',
      ),
    ).toBe('Voir les aides (https://ville.fr/aides) & @quelqu’un <b>ok</b> @here');
  });

  it('keeps the request within Block Kit limits however long the context', () => {
    const long = 'x'.repeat(5000);
    const message = requestMessage({
      channelLabel: 'Telegram',
      town: long,
      fields: Array.from({ length: 20 }, (_, i) => [`Champ ${i}`, long] as const),
      exchanges: Array.from({ length: 30 }, () => ({ from: 'person' as const, text: long })),
      state: 'open',
    });
    expect(() => assertBlockKitMessage(message)).not.toThrow();
    const closed = requestMessage({
      channelLabel: 'Site web',
      fields: [],
      exchanges: [],
      state: 'closed',
      closedBy: 'Claire',
    });
    expect(closed.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });
});

describe('manifest', () => {
  it('asks for the history scopes and message events only with the handover', () => {
    const plain = slackManifest({ publicUrl: 'https://cv.dole.fr' }) as {
      oauth_config: { scopes: { bot: string[] } };
      settings: Record<string, unknown>;
    };
    expect(plain.oauth_config.scopes.bot).toEqual(['commands', 'chat:write']);
    expect(plain.settings.event_subscriptions).toBeUndefined();
    const withHandover = slackManifest({
      publicUrl: 'https://cv.dole.fr',
      handover: true,
    }) as typeof plain;
    expect(withHandover.oauth_config.scopes.bot).toEqual([
      'commands',
      'chat:write',
      'channels:history',
      'groups:history',
      'users:read',
    ]);
    expect(withHandover.settings.event_subscriptions).toEqual({
      request_url: 'https://cv.dole.fr/slack/events',
      bot_events: ['message.channels', 'message.groups'],
    });
  });
});

describe('who can be handed over', () => {
  it('a Slack user (the team itself) or the terminal is left to the dialogue; Telegram is not', async () => {
    const { createHandoverService } = await import('../../src/handover/service.js');
    const { createHandoverStore } = await import('../../src/handover/store.js');
    const { createMemoryStore } = await import('../../src/storage/memory.js');
    const store = createMemoryStore();
    const service = createHandoverService({
      store: createHandoverStore(store.coordination),
      slack: {
        postRequest: async () => ({ channel: 'C0COMMERCE', ts: '1' }),
        updateRequest: async () => undefined,
        postInThread: async () => undefined,
        displayName: async () => undefined,
      },
      slackChannel: 'C0COMMERCE',
      logger: { info() {}, warn() {}, error() {} },
    });
    const ask = { type: 'text' as const, text: 'un humain' };
    const now = new Date();
    expect(
      await service.intercept('slack:T1:U1', ask, { channel: 'slack', userRef: 'T1:U1', now }),
    ).toBeUndefined();
    expect(
      await service.intercept('console:me', ask, { channel: 'console', userRef: 'me', now }),
    ).toBeUndefined();
    const taken = await service.intercept('telegram:1:2', ask, {
      channel: 'telegram',
      userRef: '1:2',
      now,
    });
    expect(taken?.replies[0]?.buttons?.map((b) => b.action)).toEqual([
      'handover:yes',
      'handover:no',
    ]);
    await store.close();
  });
});
