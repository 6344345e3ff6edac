/**
 * What each Telegram update becomes (SPEC §6 commands, PLATFORMS.md deep links and callback_data,
 * issue 7: groups, media and edited messages). Fixtures are real Update shapes.
 */
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  DIAGNOSTIC_ENTRY,
  FICHE_WITHOUT_WORDS,
  INVALID_BUTTON_NOTICE,
  textToEvent,
  toInbound,
} from '../../adapters/telegram/inbound.js';
import { actionId } from '../../src/dialogue/interpret.js';
import {
  CHAT_ID,
  callbackUpdate,
  commandUpdate,
  editedUpdate,
  groupTextUpdate,
  myChatMemberUpdate,
  photoUpdate,
  stickerUpdate,
  textUpdate,
  voiceUpdate,
} from './fixtures/updates.js';

const options = { botUsername: 'ClicCentreVilleBot' };

describe('a message in a private chat', () => {
  it('is free text for the dialogue, trimmed', () => {
    expect(
      toInbound(textUpdate(1, '  je voudrais vendre mes gâteaux sur internet '), options),
    ).toEqual({
      kind: 'turn',
      chatId: CHAT_ID,
      event: { type: 'text', text: 'je voudrais vendre mes gâteaux sur internet' },
    });
  });

  it('keeps markup-looking text as plain text (the renderer escapes it)', () => {
    const inbound = toInbound(textUpdate(1, 'Dole <b>&amp;'), options);
    expect(inbound).toMatchObject({ event: { type: 'text', text: 'Dole <b>&amp;' } });
  });

  it('ignores a message with only spaces', () => {
    expect(toInbound(textUpdate(1, '   '), options)).toEqual({
      kind: 'ignored',
      reason: 'malformed',
    });
  });
});

describe('commands (SPEC §6: /start, /menu, /diagnostic, /fiche <mots>, /contact, /aide, /oubli)', () => {
  it.each([
    ['/start', { type: 'start' }],
    ['/start objectif-3', { type: 'start', entry: 'objectif-3' }],
    [
      '/start fiche-stationnement-intelligent',
      { type: 'start', entry: 'fiche-stationnement-intelligent' },
    ],
    ['/start diagnostic-commercant', { type: 'start', entry: 'diagnostic-commercant' }],
    ['/diagnostic', { type: 'start', entry: DIAGNOSTIC_ENTRY }],
    ['/menu', { type: 'text', text: 'menu' }],
    ['/aide', { type: 'text', text: 'aide' }],
    ['/help', { type: 'text', text: 'aide' }],
    ['/contact', { type: 'text', text: 'contact' }],
    ['/oubli', { type: 'text', text: 'oublier mes données' }],
    ['/fiche stationnement', { type: 'text', text: 'stationnement' }],
    ['/fiche', { type: 'action', action: FICHE_WITHOUT_WORDS }],
    ['/menu@ClicCentreVilleBot', { type: 'text', text: 'menu' }],
    ['/inconnue', { type: 'text', text: 'aide' }],
  ])('%s → %o', (text, event) => {
    expect(toInbound(commandUpdate(7, text), options)).toEqual({
      kind: 'turn',
      chatId: CHAT_ID,
      event,
    });
  });

  it('/fiche without words presses the dialogue’s own « Chercher une fiche » button', () => {
    expect(FICHE_WITHOUT_WORDS).toBe(actionId.nav('search'));
  });

  it('a command addressed to another bot is only text', () => {
    expect(textToEvent('/menu@AutreBot', options)).toEqual({
      type: 'text',
      text: '/menu@AutreBot',
    });
  });

  it.each([
    ['65 characters', `/start ${'a'.repeat(65)}`],
    ['a character outside A-Z a-z 0-9 _ -', '/start objectif-3<script>'],
    ['an accent', '/start fiche-référencement'],
    ['a dot', '/start ../../etc'],
  ])(
    'a deep-link payload with %s is dropped: a plain /start (PLATFORMS.md: ≤ 64 of A-Z a-z 0-9 _ -)',
    (_, text) => {
      expect(textToEvent(text, options)).toEqual({ type: 'start' });
    },
  );

  it('a 64-character payload is accepted', () => {
    const payload = `fiche-${'x'.repeat(58)}`;
    expect(textToEvent(`/start ${payload}`, options)).toEqual({ type: 'start', entry: payload });
  });
});

describe('button presses (callback_data is client-supplied: validated)', () => {
  it('a button of ours becomes an action with the message that carried it', () => {
    expect(toInbound(callbackUpdate(3, 'ans:no@2', 5012))).toEqual({
      kind: 'turn',
      chatId: CHAT_ID,
      event: { type: 'action', action: 'ans:no@2' },
      callback: { id: '447738812391', messageId: 5012 },
    });
  });

  it.each([
    ['longer than 48 bytes', 'a'.repeat(49)],
    ['with spaces', 'ans:no @2'],
    ['non-ASCII', 'fiche:référencement'],
    ['empty', ''],
  ])('data %s is only acknowledged, with a short notice', (_, data) => {
    expect(toInbound(callbackUpdate(3, data))).toEqual({
      kind: 'callback-only',
      callbackId: '447738812391',
      notice: INVALID_BUTTON_NOTICE,
    });
  });

  it('a press without data or without its message (too old) is only acknowledged', () => {
    const update = callbackUpdate(4, 'ans:no@2') as Update & {
      callback_query: Record<string, unknown>;
    };
    const { message: _m, ...withoutMessage } = update.callback_query;
    expect(
      toInbound({ update_id: 4, callback_query: withoutMessage } as unknown as Update),
    ).toEqual({
      kind: 'callback-only',
      callbackId: '447748812391',
    });
    const { data: _d, ...withoutData } = update.callback_query;
    expect(
      toInbound({ update_id: 4, callback_query: withoutData } as unknown as Update),
    ).toMatchObject({
      kind: 'callback-only',
    });
  });
});

describe('what gets a note, and what gets silence (issue 7)', () => {
  it.each([
    ['a photo', photoUpdate(1)],
    ['a sticker', stickerUpdate(2)],
    ['a voice message', voiceUpdate(3)],
  ])('%s in a private chat gets the « texte seulement » note', (_, update) => {
    expect(toInbound(update)).toEqual({ kind: 'media', chatId: CHAT_ID });
  });

  it('a document in a private chat gets the note too', () => {
    const update = photoUpdate(4) as unknown as { message: Record<string, unknown> };
    const { photo: _p, ...rest } = update.message;
    const doc = {
      update_id: 4,
      message: { ...rest, document: { file_id: 'BQAC', file_unique_id: 'AgAD' } },
    };
    expect(toInbound(doc as unknown as Update)).toEqual({ kind: 'media', chatId: CHAT_ID });
  });

  it('a group message is ignored, even a command', () => {
    expect(toInbound(groupTextUpdate(5, '/start'), options)).toEqual({
      kind: 'ignored',
      reason: 'group',
    });
  });

  it('an edited message is ignored (we already answered the original)', () => {
    expect(toInbound(editedUpdate(6, 'oui'))).toEqual({ kind: 'ignored', reason: 'edited' });
  });

  it('an update type we do not handle is ignored', () => {
    expect(toInbound(myChatMemberUpdate(7))).toEqual({ kind: 'ignored', reason: 'unknown-update' });
  });

  it('a message from another bot is ignored', () => {
    const update = textUpdate(8, 'bonjour') as unknown as {
      message: { from: Record<string, unknown> };
    };
    update.message.from = { ...update.message.from, is_bot: true };
    expect(toInbound(update as unknown as Update)).toEqual({ kind: 'ignored', reason: 'from-bot' });
  });

  it('malformed shapes never throw', () => {
    for (const junk of [null, 42, 'x', [], {}, { message: null }, { message: { chat: 'x' } }]) {
      expect(toInbound(junk as unknown as Update).kind).toBe('ignored');
    }
  });
});
