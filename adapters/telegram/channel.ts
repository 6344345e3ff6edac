/**
 * The Telegram channel (SPEC §6): grammY for the Bot API, our fastify server for the webhook.
 *
 * One update = check the secret (webhook) → de-duplicate on `update_id` → classify (inbound.ts)
 * → answer the button press first → one runtime turn on `telegram:<chat id>` (the runtime locks,
 * persists, then hands back the replies) → strip the keyboards that were just answered → send the
 * replies (render.ts). The state is stored before anything is sent, so a failed send loses no
 * conversation: the next message simply continues. Every webhook request that passes the secret
 * is answered 200, so Telegram never re-sends an update because we did not like it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { autoRetry } from '@grammyjs/auto-retry';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Bot, GrammyError, HttpError } from 'grammy';
import type { BotCommand, Update, UserFromGetMe } from 'grammy/types';
import { text } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import { logKey, type Runtime, type TurnResult } from '../../src/runtime/runtime.js';
import type { InboundEvent } from '../../src/runtime/types.js';
import type { Store } from '../../src/storage/types.js';
import { type TelegramCallback, type TelegramInbound, toInbound } from './inbound.js';
import { renderReplies, type TelegramMessage, toPlainMessage } from './render.js';

// === Public types

/** The Telegram part of the configuration (`Config['telegram']`). */
export interface TelegramChannelConfig {
  readonly botToken: string;
  readonly webhookSecret?: string;
  readonly mode: 'webhook' | 'polling';
  readonly apiRoot?: string;
}

/** The logging surface the channel needs (pino fits). Never given message text or ids. */
export interface TelegramLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Dependencies of {@link createTelegramChannel}. */
export interface TelegramChannelDeps {
  readonly config: TelegramChannelConfig;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly logger: TelegramLogger;
  /** The town of this deployment (TOWN_NAME), handed to the dialogues. */
  readonly town?: string;
  /** The bot's own profile; when given, no `getMe` call is made (tests, fast start-up). */
  readonly botInfo?: UserFromGetMe;
  /** How long the webhook waits for a turn before answering 200 anyway (default 50 s). */
  readonly webhookTimeoutMs?: number;
  /** `@grammyjs/auto-retry` limits (defaults: 3 retries, at most 60 s of `retry_after`). */
  readonly retry?: { readonly maxRetryAttempts?: number; readonly maxDelaySeconds?: number };
}

/** What the composition root mounts and starts. */
export interface TelegramChannel {
  /** For the server's channel list: the object is a `ChannelPlugin` (name, plugin, start, stop). */
  readonly name: 'telegram';
  /** Encapsulated fastify plugin: `POST /telegram/webhook` (webhook mode only). */
  readonly plugin: FastifyPluginAsync;
  /** The grammY bot (its `api` is what the webhook script and tests call). */
  readonly bot: Bot;
  /** Handles one update as the webhook and long polling do (de-duplication included). */
  handleUpdate(update: Update): Promise<void>;
  /** Registers the commands, then starts long polling when `mode` is `polling`. */
  start(): Promise<void>;
  /** Stops polling and waits for the updates in flight. */
  stop(): Promise<void>;
}

// === Constants

/** Route of the webhook; `npm run telegram:webhook` points Telegram at `${PUBLIC_URL}` + this. */
export const WEBHOOK_PATH = '/telegram/webhook';
/** The update types we handle (setWebhook and getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/** Telegram keeps updates 24 h; `update_id` restarts at random only after a week idle. */
export const DEDUPE_TTL_MS = 48 * 3_600_000;
/** Ids of the messages whose keyboard is still live, kept this long. */
const KEYBOARDS_TTL_MS = 7 * 24 * 3_600_000;
/** A webhook body is one update: a message of ≤ 4096 characters and its entities. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** The note for photos, stickers, voice messages… in a private chat. */
export const MEDIA_NOTE_TEXT =
  'Je ne lis que le texte pour l’instant. Écrivez-moi votre question, ou tapez /menu.';

/** The commands shown in Telegram's menu, with French descriptions (setMyCommands). */
export const BOT_COMMANDS: readonly BotCommand[] = [
  { command: 'start', description: 'Commencer (ou recommencer) avec l’assistant' },
  { command: 'menu', description: 'Voir ce que je peux faire pour vous' },
  { command: 'diagnostic', description: 'Faire le diagnostic numérique de mon commerce' },
  {
    command: 'fiche',
    description: 'Chercher une solution : /fiche stationnement, /fiche fidélité…',
  },
  { command: 'contact', description: 'Contacts de la Banque des Territoires et financements' },
  { command: 'aide', description: 'Comment m’utiliser' },
  { command: 'oubli', description: 'Effacer mes données' },
];

// === Secret check

/**
 * Compares the webhook header with the secret in constant time: both are hashed to equal-length
 * digests first, so neither the content nor the length leaks through timing.
 */
export function secretMatches(header: unknown, secret: string | undefined): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const a = createHash('sha256').update(header, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

// === The channel

/** Creates the Telegram channel: a grammY bot, its webhook plugin, and polling for local use. */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, runtime, store, logger } = deps;
  const bot = new Bot(config.botToken, {
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    client: config.apiRoot ? { apiRoot: config.apiRoot } : {},
  });
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: deps.retry?.maxRetryAttempts ?? 3,
      maxDelaySeconds: deps.retry?.maxDelaySeconds ?? 60,
      // A network failure is logged and the turn's state is kept; retrying forever would hang.
      rethrowHttpErrors: true,
    }),
  );
  const inFlight = new Set<Promise<void>>();
  let polling: Promise<void> | undefined;

  // Long polling and `bot.handleUpdate` both land here.
  bot.use(async (ctx) => {
    await processUpdate(ctx.update);
  });

  // --- One update

  async function processUpdate(update: Update): Promise<void> {
    const updateId: unknown = (update as { update_id?: unknown }).update_id;
    if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId)) {
      logger.debug({ channel: 'telegram', code: 'malformed-update' }, 'update ignored');
      return;
    }
    try {
      if (!(await store.markSeen(`telegram:update:${updateId}`, DEDUPE_TTL_MS))) {
        logger.info({ channel: 'telegram', code: 'duplicate-update' }, 'update already handled');
        return;
      }
    } catch (error) {
      // Without the store we cannot de-duplicate; answering twice beats not answering.
      logger.warn({ channel: 'telegram', code: 'dedupe-failed', err: errorName(error) }, 'dedupe');
    }
    const inbound = toInbound(update, { botUsername: bot.botInfo.username });
    await act(inbound);
  }

  async function act(inbound: TelegramInbound): Promise<void> {
    switch (inbound.kind) {
      case 'ignored':
        logger.debug({ channel: 'telegram', code: `ignored-${inbound.reason}` }, 'update ignored');
        return;
      case 'callback-only':
        await answerCallback(inbound.callbackId, inbound.notice);
        return;
      case 'media':
        await deliver(inbound.chatId, [text(MEDIA_NOTE_TEXT)]);
        return;
      case 'turn':
        await takeTurn(inbound.chatId, inbound.event, inbound.callback);
        return;
    }
  }

  async function takeTurn(
    chatId: number,
    event: InboundEvent,
    callback: TelegramCallback | undefined,
  ): Promise<void> {
    // Answer the press first: the spinner stops at once, whatever the turn takes.
    if (callback) await answerCallback(callback.id);
    const userRef = String(chatId);
    const key = `telegram:${userRef}`;
    const result: TurnResult = await runtime.turn(key, event, {
      channel: 'telegram',
      userRef,
      ...(deps.town ? { town: deps.town } : {}),
      now: new Date(),
    });
    const messages = safeRender(result.replies, key);
    const advanced = result.outcome === 'ok' || result.outcome === 'forgotten';
    const offersChoices = messages.some((m) => m.reply_markup !== undefined);

    // Old keyboards: the pressed one is answered; the previous turn's ones make way for new ones.
    const kbKey = `telegram:keyboards:${userRef}`;
    const live = result.outcome === 'forgotten' ? [] : await recallKeyboards(kbKey);
    const strip = new Set<number>();
    if (advanced && callback?.messageId !== undefined) strip.add(callback.messageId);
    if (offersChoices) for (const id of live) strip.add(id);
    await Promise.all([...strip].map((id) => stripKeyboard(chatId, id)));

    const sent = await send(chatId, messages);
    if (result.outcome === 'forgotten') return;
    const kept = live.filter((id) => !strip.has(id));
    const next = [...kept, ...sent].slice(-20);
    if (next.length !== live.length || next.some((id, i) => id !== live[i])) {
      await store
        .remember(kbKey, next, KEYBOARDS_TTL_MS, { channel: 'telegram', userRef })
        .catch((error: unknown) => {
          logger.warn(
            { channel: 'telegram', code: 'remember-failed', err: errorName(error) },
            'kb',
          );
        });
    }
  }

  /** Renders replies; a reply we cannot render is logged and replaced by a safe sentence. */
  function safeRender(replies: readonly Reply[], key: string): TelegramMessage[] {
    try {
      return renderReplies(replies);
    } catch (error) {
      logger.error(
        { channel: 'telegram', key: logKey(key), code: 'render-failed', err: errorName(error) },
        'reply not renderable',
      );
      return renderReplies([
        text('Désolé, je n’ai pas pu afficher ma réponse. Écrivez « menu » pour continuer.'),
      ]);
    }
  }

  async function deliver(chatId: number, replies: readonly Reply[]): Promise<void> {
    await send(chatId, safeRender(replies, `telegram:${chatId}`));
  }

  // --- Bot API calls (each one logged without text or ids when it fails)

  /** Sends in order; stops at the first failure. Returns the ids of messages with a keyboard. */
  async function send(chatId: number, messages: readonly TelegramMessage[]): Promise<number[]> {
    const withKeyboard: number[] = [];
    for (const message of messages) {
      const { text: html, ...other } = message;
      try {
        const sent = await bot.api.sendMessage(chatId, html, other).catch(async (error) => {
          // Our HTML refused (a rendering bug): the same words as plain text beat silence.
          if (
            error instanceof GrammyError &&
            error.error_code === 400 &&
            /entit/i.test(error.description)
          ) {
            logger.warn({ channel: 'telegram', code: 'html-refused' }, 'sent as plain text');
            const plain = toPlainMessage(message);
            const { text: raw, ...rest } = plain;
            return bot.api.sendMessage(chatId, raw, rest);
          }
          throw error;
        });
        // Only choices go stale; a link button (« Mon plan d'action ») stays on its message.
        if (
          message.reply_markup?.inline_keyboard.some((row) => row.some((k) => 'callback_data' in k))
        )
          withKeyboard.push(sent.message_id);
      } catch (error) {
        logApiError('sendMessage', error);
        break;
      }
    }
    return withKeyboard;
  }

  async function answerCallback(id: string, notice?: string): Promise<void> {
    try {
      await bot.api.answerCallbackQuery(id, notice ? { text: notice } : {});
    } catch (error) {
      // « query is too old » after a slow turn or a restart: not fatal (PLATFORMS.md).
      logApiError('answerCallbackQuery', error, 'debug');
    }
  }

  async function stripKeyboard(chatId: number, messageId: number): Promise<void> {
    try {
      await bot.api.editMessageReplyMarkup(chatId, messageId, {
        reply_markup: { inline_keyboard: [] },
      });
    } catch (error) {
      // Already stripped, deleted by the user, or too old: nothing to do.
      logApiError('editMessageReplyMarkup', error, 'debug');
    }
  }

  async function recallKeyboards(kbKey: string): Promise<number[]> {
    try {
      const value = await store.recall(kbKey);
      return Array.isArray(value) ? value.filter((v): v is number => Number.isSafeInteger(v)) : [];
    } catch {
      return [];
    }
  }

  function logApiError(method: string, error: unknown, level: 'warn' | 'debug' = 'warn'): void {
    const fields =
      error instanceof GrammyError
        ? { code: 'api-error', status: error.error_code }
        : error instanceof HttpError
          ? { code: 'network-error' }
          : { code: 'unexpected-error', err: errorName(error) };
    logger[level]({ channel: 'telegram', method, ...fields }, 'Bot API call failed');
  }

  // --- Tracking (graceful stop)

  function track(work: Promise<void>): Promise<void> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function handleUpdate(update: Update): Promise<void> {
    try {
      if (!bot.isInited()) await bot.init();
      await track(bot.handleUpdate(update));
    } catch (error) {
      logger.error(
        { channel: 'telegram', code: 'update-failed', err: errorName(unwrap(error)) },
        'update failed',
      );
    }
  }

  // --- The webhook plugin

  const plugin: FastifyPluginAsync = async (app) => {
    if (config.mode !== 'webhook') return;
    const timeoutMs = deps.webhookTimeoutMs ?? 50_000;

    app.post(
      WEBHOOK_PATH,
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        // Before the body is even parsed: without the right secret nothing is processed.
        onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
          if (!secretMatches(request.headers[SECRET_HEADER], config.webhookSecret)) {
            await reply
              .code(401)
              .send({ error: 'unauthorized', message: 'Secret du webhook invalide.' });
          }
        },
      },
      async (request, reply) => {
        const body: unknown = request.body;
        if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
          const work = handleUpdate(body as Update);
          // Telegram waits about 60 s; past our timeout it gets its 200 and the turn goes on.
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeoutMs);
            timer.unref();
          });
          await Promise.race([work, timeout]);
          clearTimeout(timer);
        }
        return reply.code(200).send({ ok: true });
      },
    );
  };

  // --- Lifecycle

  async function registerCommands(): Promise<void> {
    try {
      await bot.api.setMyCommands([...BOT_COMMANDS]);
    } catch (error) {
      logApiError('setMyCommands', error);
    }
  }

  const channel: TelegramChannel = {
    name: 'telegram',
    plugin,
    bot,
    handleUpdate,
    async start() {
      await bot.init();
      await registerCommands();
      if (config.mode === 'polling' && !polling) {
        polling = bot
          .start({
            allowed_updates: [...ALLOWED_UPDATES],
            onStart: () => logger.info({ channel: 'telegram', mode: 'polling' }, 'polling started'),
          })
          .catch((error: unknown) => {
            logger.error(
              { channel: 'telegram', code: 'polling-stopped', err: errorName(unwrap(error)) },
              'polling stopped',
            );
          });
      } else if (config.mode === 'webhook') {
        logger.info({ channel: 'telegram', mode: 'webhook', path: WEBHOOK_PATH }, 'webhook ready');
      }
    },
    async stop() {
      if (polling) {
        await bot.stop().catch(() => undefined);
        await polling;
        polling = undefined;
      }
      await Promise.allSettled([...inFlight]);
    },
  };
  return channel;
}

// === Helpers

/** grammY wraps middleware errors in a BotError; its `error` is the real one. */
function unwrap(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'error' in error
    ? (error as { error: unknown }).error
    : error;
}

/** Only the class name (and code) is logged: messages may quote what the user wrote. */
function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name}:${code}` : error.name;
  }
  return typeof error;
}
