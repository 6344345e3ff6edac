/**
 * The Telegram webhook end to end: real Update JSON posted with `app.inject` to a fastify server
 * holding our plugin, the real runtime and the real dialogue engine over a memory store; the Bot
 * API intercepted with nock at a fake TELEGRAM_API_ROOT. Every outgoing sendMessage is checked
 * against PLATFORMS.md (HTML parse mode, ≤ 4096 characters, callback_data ≤ 64 bytes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEDUPE_TTL_MS, MEDIA_NOTE_TEXT } from '../../adapters/telegram/channel.js';
import { INVALID_BUTTON_NOTICE } from '../../adapters/telegram/inbound.js';
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
import {
  type ApiCall,
  BOT_ID,
  buttonsOf,
  createHarness,
  expectAllValid,
  findButton,
  type Harness,
  lastKeyboardMessage,
  sentTexts,
} from './helpers.js';

let h: Harness;
let nextUpdate = 100;

beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** Posts an update and expects the 200 that stops Telegram from re-sending it. */
async function send(update: unknown): Promise<void> {
  const response = await h.post(update);
  expect(response.statusCode).toBe(200);
}

/** Presses the button labelled `label` on the last keyboard the user received. */
async function press(label: RegExp): Promise<ApiCall[]> {
  const message = lastKeyboardMessage(h.calls);
  expect(message, 'no keyboard was sent').toBeDefined();
  const key = findButton(buttonsOf(message!), label);
  h.reset();
  await send(callbackUpdate(nextUpdate++, key.callback_data, message?.messageId));
  return [...h.calls];
}

async function say(text: string): Promise<ApiCall[]> {
  h.reset();
  await send(textUpdate(nextUpdate++, text));
  return [...h.calls];
}

async function command(text: string): Promise<ApiCall[]> {
  h.reset();
  await send(commandUpdate(nextUpdate++, text));
  return [...h.calls];
}

describe('the webhook secret (X-Telegram-Bot-Api-Secret-Token, compared in constant time)', () => {
  it.each([
    ['missing', null],
    ['wrong', 'webhook-secret_9f3b2d'],
    ['a prefix of the right one', 'webhook-secret'],
    ['empty', ''],
  ])('%s → 401 and not a single Bot API call', async (_, secret) => {
    const response = await h.post(commandUpdate(1, '/start'), secret);
    expect(response.statusCode).toBe(401);
    expect(h.calls).toEqual([]);
  });

  it('a refused update is not processed at all: the genuine delivery is still answered', async () => {
    await h.post(commandUpdate(2, '/start'), 'forged');
    await send(commandUpdate(2, '/start'));
    expect(h.callsOf('sendMessage')).toHaveLength(1);
  });

  it('a forged body that is not even JSON gets 401, not 400', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/telegram/webhook',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('a text message', () => {
  it('/start greets in French with the « Vous êtes… » choices as an inline keyboard', async () => {
    const calls = await command('/start');
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    const [call] = calls;
    expect(call?.body.chat_id).toBe(CHAT_ID);
    expect(call?.body.parse_mode).toBe('HTML');
    expect(sentTexts(calls)[0]).toMatch(/Bonjour.*Clic Centre-Ville[\s\S]*Vous êtes…/);
    expect(buttonsOf(call!).map((b) => b.text)).toEqual([
      'Commerçant·e',
      'Collectivité',
      'Je découvre',
    ]);
    expectAllValid(calls);
  });

  it('/start objectif-3 enters objective 3 (guide p.23) directly', async () => {
    const calls = await command('/start objectif-3');
    const said = sentTexts(calls).join('\n');
    expect(said).toContain("Je souhaite développer l'attractivité du centre-ville");
    expect(said).toContain('p. 23');
    expect(said).toMatch(/Stationnement intelligent|Application de ville/);
    expectAllValid(calls);
  });

  it('/start with a forged payload is a plain welcome', async () => {
    const calls = await command('/start objectif-3"><script>');
    expect(sentTexts(calls)[0]).toMatch(/Vous êtes…/);
  });

  it('what the user typed comes back escaped: a town « Dole <b>& » is shown as text', async () => {
    await command('/diagnostic');
    await press(/Alimentaire/);
    for (let i = 0; i < 4; i++) await press(/^Non$/);
    const calls = await say('Dole <b>&');
    const html = calls
      .filter((c) => c.method === 'sendMessage')
      .map((c) => String(c.body.text))
      .join('\n');
    expect(html).toContain('Dole &lt;b&gt;&amp;');
    expect(html).not.toContain('Dole <b>');
    expect(sentTexts(calls).join('\n')).toContain('Dole <b>&');
    expectAllValid(calls);
  });
});

describe('a button press', () => {
  it('answerCallbackQuery comes first, then the answered keyboard is removed, then the reply', async () => {
    await command('/start');
    const keyboardMessage = lastKeyboardMessage(h.calls)?.messageId;
    const calls = await press(/Commerçant/);
    expect(calls[0]?.method).toBe('answerCallbackQuery');
    expect(calls[0]?.body.callback_query_id).toEqual(expect.any(String));
    expect(calls.map((c) => c.method)).toEqual([
      'answerCallbackQuery',
      'editMessageReplyMarkup',
      'sendMessage',
    ]);
    expect(calls[1]?.body).toMatchObject({
      chat_id: CHAT_ID,
      message_id: keyboardMessage,
      reply_markup: { inline_keyboard: [] },
    });
    expect(sentTexts(calls)[0]).toContain('Que souhaitez-vous ?');
    expectAllValid(calls);
  });

  it('a typed answer also clears the question’s keyboard', async () => {
    await command('/diagnostic');
    const question = lastKeyboardMessage(h.calls)?.messageId;
    const calls = await say('alimentaire');
    expect(calls.find((c) => c.method === 'editMessageReplyMarkup')?.body.message_id).toBe(
      question,
    );
    expect(sentTexts(calls).join('\n')).toContain('Question 1/4');
  });

  it('a stale button (an earlier question) gets a friendly resync, not an error', async () => {
    await command('/diagnostic');
    await press(/Alimentaire/);
    const firstQuestion = lastKeyboardMessage(h.calls)!;
    await press(/^Non$/); // question 1 answered → question 2
    h.reset();
    const old = findButton(buttonsOf(firstQuestion), /^Oui$/);
    await send(callbackUpdate(nextUpdate++, old.callback_data, firstQuestion.messageId));
    expect(h.calls[0]?.method).toBe('answerCallbackQuery');
    const said = sentTexts(h.calls).join('\n');
    expect(said).toContain('Question 2/4');
    expect(said).not.toMatch(/souci technique/);
  });

  it('a forged callback_data is only acknowledged, with a short notice', async () => {
    await send(callbackUpdate(nextUpdate++, `fiche:${'x'.repeat(60)}`));
    expect(h.calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    expect(h.calls[0]?.body.text).toBe(INVALID_BUTTON_NOTICE);
  });

  it('« query is too old » on answerCallbackQuery does not stop the turn', async () => {
    await command('/start');
    h.failNext('answerCallbackQuery', {
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description:
          'Bad Request: query is too old and response timeout expired or query ID is invalid',
      },
    });
    const calls = await press(/Commerçant/);
    expect(sentTexts(calls).join('\n')).toContain('Que souhaitez-vous ?');
  });
});

describe('updates that get a note or silence (always 200)', () => {
  it.each([
    ['a photo', () => photoUpdate(nextUpdate++)],
    ['a sticker', () => stickerUpdate(nextUpdate++)],
    ['a voice message', () => voiceUpdate(nextUpdate++)],
  ])('%s → « Je ne lis que le texte pour l’instant »', async (_, update) => {
    await send(update());
    expect(h.calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(sentTexts(h.calls)[0]).toBe(MEDIA_NOTE_TEXT);
    expect(MEDIA_NOTE_TEXT).toMatch(/^Je ne lis que le texte pour l’instant\./);
    expectAllValid(h.calls);
  });

  it.each([
    ['an edited message', () => editedUpdate(nextUpdate++, 'oui')],
    ['an update type we do not handle', () => myChatMemberUpdate(nextUpdate++)],
    ['a message in a group', () => groupTextUpdate(nextUpdate++, '/start')],
    ['an object without update_id', () => ({ message: { text: 'x' } })],
    ['an empty object', () => ({})],
    ['an array', () => []],
  ])('%s → 200 and silence', async (_, update) => {
    await send(update());
    expect(h.calls).toEqual([]);
  });

  it('an edited message leaves the dialogue where it was', async () => {
    await command('/diagnostic');
    await press(/Alimentaire/);
    await send(editedUpdate(nextUpdate++, 'oui'));
    const calls = await say('non');
    expect(sentTexts(calls).join('\n')).toContain('Question 2/4');
  });
});

describe('delivery', () => {
  it('the same update delivered twice is answered once (update_id de-duplication ≥ 24 h)', async () => {
    expect(DEDUPE_TTL_MS).toBeGreaterThanOrEqual(24 * 3_600_000);
    const update = commandUpdate(nextUpdate++, '/start');
    await send(update);
    await send(update);
    expect(h.callsOf('sendMessage')).toHaveLength(1);
  });

  it('a retried button press is answered once and advances the dialogue once', async () => {
    await command('/diagnostic');
    const message = lastKeyboardMessage(h.calls)!;
    const key = findButton(buttonsOf(message), /Alimentaire/);
    const update = callbackUpdate(nextUpdate++, key.callback_data, message.messageId);
    h.reset();
    await Promise.all([send(update), send(update)]);
    // Each delivery answers the press (the spinner stops at once; a second answer is harmless);
    // the turn is stored once with its outbox, so the reply goes out once.
    expect(sentTexts(h.calls).filter((t) => t.includes('Question 1/4'))).toHaveLength(1);
  });

  it('a 429 with retry_after is waited out and the message is sent again', async () => {
    h.failNext('sendMessage', {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      },
    });
    const started = Date.now();
    const calls = await command('/start');
    const sends = calls.filter((c) => c.method === 'sendMessage');
    expect(sends).toHaveLength(2);
    expect(sends[1]?.body).toEqual(sends[0]?.body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a failed sendMessage is logged without text or ids, and the next message continues', async () => {
    await command('/diagnostic');
    await press(/Alimentaire/);
    h.failNext('sendMessage', {
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const failed = await press(/^Non$/); // answers question 1; « Question 2/4 » is lost
    expect(failed.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
    const warning = h.logs.find((l) => l.obj.method === 'sendMessage' && l.level === 'warn');
    expect(warning?.obj).toMatchObject({ channel: 'telegram', code: 'api-error', status: 403 });
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain(String(CHAT_ID));
    expect(logged).not.toContain('Question');
    expect(logged).not.toContain('blocked');

    // The state was stored before sending: « non » now answers question 2.
    const calls = await say('non');
    expect(sentTexts(calls).join('\n')).toContain('Question 3/4');
  });

  it('HTML that Telegram refuses is sent again as plain text rather than lost', async () => {
    h.failNext('sendMessage', {
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: "Bad Request: can't parse entities: unexpected end tag at byte offset 12",
      },
    });
    const calls = await command('/start');
    const sends = calls.filter((c) => c.method === 'sendMessage');
    expect(sends).toHaveLength(2);
    expect(sends[1]?.body.parse_mode).toBeUndefined();
    expect(String(sends[1]?.body.text)).toMatch(/Vous êtes…/);
    expect(buttonsOf(sends[1]!).length).toBe(3);
  });
});

describe('a full merchant self-diagnostic in Telegram (DIALOGUES.md §1, a baker)', () => {
  it('ends on the estimated level and the first step', async () => {
    await command('/start');
    await press(/Commerçant/);
    // Free text works as well as buttons (SPEC §5).
    const objective = await say('je voudrais vendre mes gâteaux sur internet');
    expect(sentTexts(objective).join('\n')).toContain('Vendre par de nouveaux canaux');
    await press(/diagnostic/i);
    await press(/Alimentaire/);
    const q1 = sentTexts(h.calls).join('\n');
    expect(q1).toContain('Question 1/4');
    await say('pas vraiment');
    expect(sentTexts(h.calls).join('\n')).toContain('Question 2/4');
    await press(/^Non$/);
    expect(sentTexts(h.calls).join('\n')).toContain('Question 3/4');
    await press(/^Non$/);
    expect(sentTexts(h.calls).join('\n')).toContain('Question 4/4');
    await press(/^Non$/);
    const result = await press(/Passer/);
    const said = sentTexts(result).join('\n');
    // SPEC §4: no prerequisite met → « très faible »; P1 is built by fiche 1 (Formation en ligne).
    expect(said).toContain('Votre niveau numérique estimé : très faible');
    expect(said).toMatch(/première étape[\s\S]*Formation en ligne ou via un lieu dédié/i);
    expect(said).toMatch(/Site de vente en ligne/);
    expectAllValid(result);
    const buttons = result.flatMap(buttonsOf);
    expect(buttons.some((b) => b.callback_data === 'fiche:formation-en-ligne')).toBe(true);
  });
});

describe('/oubli (SPEC §7: erase a user’s data at once)', () => {
  it('after confirmation nothing about the chat is left in the store', async () => {
    await command('/diagnostic');
    await press(/Alimentaire/);
    expect(await h.store.conversations.get(`telegram:${BOT_ID}:${CHAT_ID}`)).toBeDefined();
    const ask = await command('/oubli');
    expect(sentTexts(ask).join('\n')).toMatch(/effacer vos données/);
    await press(/Oui/);
    expect(await h.store.conversations.get(`telegram:${BOT_ID}:${CHAT_ID}`)).toBeUndefined();
    expect(
      await h.store.coordination.recall(`telegram:keyboards:${BOT_ID}:${CHAT_ID}`),
    ).toBeUndefined();
  });

  it('also erases what an earlier release stored under the bare chat id', async () => {
    const legacy = `telegram:${CHAT_ID}`;
    const at = Date.now();
    await h.store.conversations.put(
      {
        key: legacy,
        channel: 'telegram',
        userRef: String(CHAT_ID),
        flowId: 'clic',
        flowVersion: 1,
        revision: 1,
        snapshot: {},
        createdAt: at,
        updatedAt: at,
        expiresAt: at + 3_600_000,
      },
      0,
    );
    await command('/oubli');
    await press(/Oui/);
    expect(await h.store.conversations.get(legacy)).toBeUndefined();
  });
});
