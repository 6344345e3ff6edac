/**
 * Telegram → runtime: turns one Bot API `Update` into what the channel must do with it. Updates
 * reach us from the network (the webhook body is only as trustworthy as its secret header), so
 * every field is read defensively and `callback_data` is validated like any user input.
 *
 * Decisions (documented in docs/telegram.md):
 * - only private chats talk to the dialogues; groups, supergroups and channels get silence;
 * - photos, stickers, voice, documents… in a private chat get « Je ne lis que le texte… »;
 * - edited messages get silence: we already answered the original, and answering twice would
 *   confuse more than it helps;
 * - unknown update types and service messages are acknowledged and ignored.
 */
import type { Message, Update } from 'grammy/types';
import { actionId } from '../../src/dialogue/interpret.js';
import { isActionId } from '../../src/reply/validate.js';
import type { InboundEvent } from '../../src/runtime/types.js';

// === Public types

/** What the channel does with one update. */
export type TelegramInbound =
  | {
      /** A turn of the dialogue for this private chat. */
      readonly kind: 'turn';
      readonly chatId: number;
      readonly event: InboundEvent;
      /** Present for a button press: answer it first, then take the turn. */
      readonly callback?: TelegramCallback;
    }
  | {
      /** A button press we will not act on (bad data, a group, an old inline message). */
      readonly kind: 'callback-only';
      readonly callbackId: string;
      /** A short toast for the user, when there is something useful to say. */
      readonly notice?: string;
    }
  | {
      /** A non-text message in a private chat: « Je ne lis que le texte pour l'instant. » */
      readonly kind: 'media';
      readonly chatId: number;
    }
  | {
      /** Acknowledged (HTTP 200) and otherwise ignored. */
      readonly kind: 'ignored';
      readonly reason: IgnoredReason;
    };

/** Why an update is ignored (for debug logs and tests; never contains user data). */
export type IgnoredReason =
  | 'group'
  | 'edited'
  | 'service'
  | 'from-bot'
  | 'unknown-update'
  | 'malformed';

/** The button press behind a turn. */
export interface TelegramCallback {
  readonly id: string;
  /** The message that carried the keyboard, when Telegram still gives it to us. */
  readonly messageId?: number;
}

// === Limits

/** Deep-link payloads: Telegram allows ≤ 64 characters of A-Z a-z 0-9 _ - (PLATFORMS.md). */
export const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

/** The dialogue's global words the commands stand for (SPEC §5). */
export const COMMAND_WORDS = {
  menu: 'menu',
  aide: 'aide',
  contact: 'contact',
  oubli: 'oublier mes données',
  /** « Parler à quelqu’un » (issue 18): the handover, when on, takes it before the dialogue. */
  humain: 'parler à quelqu’un',
} as const;

/** The entry point `/diagnostic` opens: Telegram is the merchants' channel (SPEC §2). */
export const DIAGNOSTIC_ENTRY = 'diagnostic-commercant';

/** `/fiche` with no words presses the dialogue's « Chercher une fiche » button (asks what to look for). */
export const FICHE_WITHOUT_WORDS = actionId.nav('search');

/** Toast for a button whose data we cannot read (forged, or from an older release). */
export const INVALID_BUTTON_NOTICE = 'Ce bouton n’est plus actif. Tapez /menu pour continuer.';

// === The translation

/** Options of {@link toInbound}. */
export interface InboundOptions {
  /** The bot's username, so that `/menu@ClicCentreVilleBot` is understood. */
  readonly botUsername?: string;
}

/**
 * Classifies one update. Pure: the channel acts on the result (answer the callback, run the turn,
 * send the media note, or nothing).
 */
export function toInbound(update: Update, options: InboundOptions = {}): TelegramInbound {
  if (!isRecord(update)) return { kind: 'ignored', reason: 'malformed' };
  if (isRecord(update.message)) return fromMessage(update.message, options);
  if (isRecord(update.callback_query)) return fromCallback(update.callback_query);
  if (isRecord(update.edited_message)) return { kind: 'ignored', reason: 'edited' };
  return { kind: 'ignored', reason: 'unknown-update' };
}

function fromMessage(message: Message, options: InboundOptions): TelegramInbound {
  const chat = message.chat;
  if (!isRecord(chat) || !Number.isSafeInteger(chat.id)) {
    return { kind: 'ignored', reason: 'malformed' };
  }
  if (chat.type !== 'private') return { kind: 'ignored', reason: 'group' };
  if (isRecord(message.from) && message.from.is_bot === true) {
    return { kind: 'ignored', reason: 'from-bot' };
  }
  const chatId = chat.id;
  if (typeof message.text === 'string') {
    const event = textToEvent(message.text, options);
    return event ? { kind: 'turn', chatId, event } : { kind: 'ignored', reason: 'malformed' };
  }
  if (isMedia(message)) return { kind: 'media', chatId };
  return { kind: 'ignored', reason: 'service' };
}

/** Message kinds that a person sent on purpose and that deserve the « texte seulement » note. */
const MEDIA_FIELDS = [
  'photo',
  'sticker',
  'voice',
  'video_note',
  'video',
  'audio',
  'document',
  'animation',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'story',
  'paid_media',
] as const;

function isMedia(message: Message): boolean {
  const fields = message as unknown as Record<string, unknown>;
  return MEDIA_FIELDS.some((field) => fields[field] !== undefined && fields[field] !== null);
}

function fromCallback(query: NonNullable<Update['callback_query']>): TelegramInbound {
  if (typeof query.id !== 'string' || query.id.length === 0 || query.id.length > 200) {
    return { kind: 'ignored', reason: 'malformed' };
  }
  const callbackId = query.id;
  const message = isRecord(query.message) ? query.message : undefined;
  const chat = message && isRecord(message.chat) ? message.chat : undefined;
  // An inline-mode message or one too old for Telegram to send: nothing to continue.
  if (!message || !chat || !Number.isSafeInteger(chat.id))
    return { kind: 'callback-only', callbackId };
  if (chat.type !== 'private') return { kind: 'callback-only', callbackId };
  const data: unknown = query.data;
  if (!isActionId(data))
    return { kind: 'callback-only', callbackId, notice: INVALID_BUTTON_NOTICE };
  const messageId = Number.isSafeInteger(message.message_id) ? message.message_id : undefined;
  return {
    kind: 'turn',
    chatId: chat.id,
    event: { type: 'action', action: data },
    callback: { id: callbackId, ...(messageId !== undefined ? { messageId } : {}) },
  };
}

// === Commands and text

/**
 * A message text as a dialogue event: commands become entries or global words, anything else is
 * free text (trimmed; the runtime refuses, kindly, what is too long). Undefined for an empty text.
 */
export function textToEvent(raw: string, options: InboundOptions = {}): InboundEvent | undefined {
  const text = raw.trim();
  if (text.length === 0) return undefined;
  const command = parseCommand(text, options.botUsername);
  if (!command) return { type: 'text', text: text };
  const { name, args } = command;
  switch (name) {
    case 'start': {
      const payload = args.split(/\s+/u)[0] ?? '';
      return START_PAYLOAD.test(payload) ? { type: 'start', entry: payload } : { type: 'start' };
    }
    case 'diagnostic':
      return { type: 'start', entry: DIAGNOSTIC_ENTRY };
    case 'fiche':
      return args ? { type: 'text', text: args } : { type: 'action', action: FICHE_WITHOUT_WORDS };
    case 'menu':
    case 'aide':
    case 'contact':
    case 'oubli':
    case 'humain':
      return { type: 'text', text: COMMAND_WORDS[name] };
    case 'help':
      return { type: 'text', text: COMMAND_WORDS.aide };
    default:
      // An unknown command: the help lists the ones that exist.
      return { type: 'text', text: COMMAND_WORDS.aide };
  }
}

interface Command {
  readonly name: string;
  readonly args: string;
}

/** `/name[@bot] args`; a command addressed to another bot is read as plain text. */
function parseCommand(text: string, botUsername: string | undefined): Command | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/u.exec(text);
  if (!match) return undefined;
  const [, name = '', target, args = ''] = match;
  if (target && botUsername && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: name.toLowerCase(), args: args.trim() };
}

// === Helpers

/** A non-null, non-array object, whatever its declared type says (the JSON is untrusted). */
function isRecord<T>(value: T): value is Exclude<T, null | undefined> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
