/**
 * The Telegram channel (SPEC §6): grammY for the Bot API, our fastify server for the webhook.
 *
 * One update = check the secret (webhook) → classify (inbound.ts) → answer the button press
 * first → one runtime turn on `telegram:<bot id>:<chat id>` with the update as its outbox id (the
 * runtime locks, stores the turn and its replies in one write, then hands the replies back) →
 * strip the keyboards that were just answered → send the replies (render.ts), each one marked
 * delivered once Telegram accepted it. A redelivered update whose turn is stored gets the replies
 * not yet delivered, never a second turn; a periodic sweep sends what a dead instance left
 * (src/runtime/outbox.ts). Updates without a turn (media, stale buttons…) are de-duplicated on
 * `update_id`. The webhook answers 200, except when the store could not take the turn or the
 * replies could not be delivered: then a 503 makes Telegram deliver the update again later.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { autoRetry } from '@grammyjs/auto-retry';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Bot, GrammyError, HttpError } from 'grammy';
import type { BotCommand, Update, UserFromGetMe } from 'grammy/types';
import { text } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import {
  deliverOutbox,
  type OutboxSweep,
  outboxReplies,
  type SendOutcome,
  startOutboxSweep,
  sweepOutbox,
} from '../../src/runtime/outbox.js';
import {
  logKey,
  type Runtime,
  type TurnDelivery,
  type TurnResult,
} from '../../src/runtime/runtime.js';
import type { InboundEvent } from '../../src/runtime/types.js';
import { type OutboxEntry, type Store, StoreUnavailableError } from '../../src/storage/types.js';
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
  /** Pause between two sweeps of the outbox, in ms (0 = no sweep). Default 30 s. */
  readonly outboxSweepMs?: number;
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
  /**
   * Handles one update as the webhook and long polling do (de-duplication included): `'retry'`
   * when it must be delivered again (nothing stored, or replies not yet delivered).
   */
  handleUpdate(update: Update): Promise<Disposition>;
  /**
   * Sends replies outside a turn (the town team's answer during a handover, issue 18) to the
   * person `userRef` (`<bot id>:<chat id>`); throws when Telegram did not take every message.
   */
  push(userRef: string, replies: readonly Reply[]): Promise<void>;
  /** Delivers now what is due in this bot's outbox; resolves with how many entries it took. */
  sweepOutbox(): Promise<number>;
  /**
   * Registers the commands, starts the outbox sweep (at once, then every `outboxSweepMs`), then
   * long polling when `mode` is `polling`.
   */
  start(): Promise<void>;
  /** Stops polling and waits for the updates in flight. */
  stop(): Promise<void>;
}

/** What the webhook answers: 200 (`done`), or a non-2xx so that Telegram redelivers (`retry`). */
export type Disposition = 'done' | 'retry';

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
  { command: 'humain', description: 'Parler à une personne de l’équipe de la ville' },
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
  const inFlight = new Set<Promise<unknown>>();
  let sweep: OutboxSweep | undefined;
  let polling: Promise<void> | undefined;

  // Long polling and `bot.handleUpdate` both land here.
  bot.use(async (ctx) => {
    await track(processUpdate(ctx.update));
  });

  // --- One update

  /** The bot's id (the token's first part): every key of this bot is scoped by it. */
  const botId = config.botToken.slice(0, Math.max(0, config.botToken.indexOf(':')));
  const scope = `telegram:${botId}`;

  async function processUpdate(update: Update): Promise<Disposition> {
    const updateId: unknown = (update as { update_id?: unknown }).update_id;
    if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId)) {
      logger.debug({ channel: 'telegram', code: 'malformed-update' }, 'update ignored');
      return 'done';
    }
    const inbound = toInbound(update, { botUsername: bot.botInfo.username });
    // A turn is de-duplicated by its outbox (stored with the turn): a redelivery after a crash
    // gets the stored replies, never a second turn and never silence.
    if (inbound.kind === 'turn') {
      return takeTurn(inbound.chatId, inbound.event, inbound.callback, updateId);
    }
    try {
      if (!(await store.coordination.markSeen(`${scope}:update:${updateId}`, DEDUPE_TTL_MS))) {
        logger.info({ channel: 'telegram', code: 'duplicate-update' }, 'update already handled');
        return 'done';
      }
    } catch (error) {
      // Without the store we cannot de-duplicate; answering twice beats not answering.
      logger.warn({ channel: 'telegram', code: 'dedupe-failed', err: errorName(error) }, 'dedupe');
    }
    await act(inbound);
    return 'done';
  }

  async function act(inbound: Exclude<TelegramInbound, { kind: 'turn' }>): Promise<void> {
    switch (inbound.kind) {
      case 'ignored':
        logger.debug({ channel: 'telegram', code: `ignored-${inbound.reason}` }, 'update ignored');
        return;
      case 'callback-only':
        await answerCallback(inbound.callbackId, inbound.notice);
        return;
      case 'media':
        await sendAll(inbound.chatId, safeRender([text(MEDIA_NOTE_TEXT)], scope));
        return;
    }
  }

  async function takeTurn(
    chatId: number,
    event: InboundEvent,
    callback: TelegramCallback | undefined,
    updateId: number,
  ): Promise<Disposition> {
    // Answer the press first: the spinner stops at once, whatever the turn takes.
    if (callback) await answerCallback(callback.id);
    const userRef = `${botId}:${chatId}`;
    const key = `telegram:${userRef}`;
    const result: TurnResult = await runtime.turn(
      key,
      event,
      { channel: 'telegram', userRef, ...(deps.town ? { town: deps.town } : {}), now: new Date() },
      { outbox: { id: `${scope}:update:${updateId}`, target: { chatId } } },
    );
    if (result.retryable) {
      // Nothing was stored: Telegram delivers the update again later, we answer it then.
      logger.warn({ channel: 'telegram', code: 'store-unavailable' }, 'update left for later');
      return 'retry';
    }
    if (result.outcome === 'replayed' && !result.delivery) return 'done';
    const messages = safeRender(result.replies, key);
    const advanced = result.outcome === 'ok' || result.outcome === 'forgotten';
    const offersChoices = messages.some((m) => m.reply_markup !== undefined);

    // Old keyboards: the pressed one is answered; the previous turn's ones make way for new ones.
    const replayed = result.outcome === 'replayed';
    const live = result.outcome === 'forgotten' ? [] : await recallKeyboards(userRef);
    const strip = new Set<number>();
    if (!replayed) {
      if (advanced && callback?.messageId !== undefined) strip.add(callback.messageId);
      if (offersChoices) for (const id of live) strip.add(id);
      await Promise.all([...strip].map((id) => stripKeyboard(chatId, id)));
    }

    if (result.outcome === 'forgotten') await forgetLegacy(chatId);
    if (!result.delivery) {
      // A turn that stored nothing (refused, erased, failed): sent once, as it is.
      const sent = await sendAll(chatId, messages);
      if (result.outcome !== 'forgotten') await keepKeyboards(userRef, live, strip, sent);
      return 'done';
    }
    return deliver(chatId, userRef, messages, result.delivery, live, strip);
  }

  /**
   * « Oublier mes données » also erases what releases before the bot-scoped keys stored under the
   * bare chat id (conversation, keyboards, observatory record).
   */
  async function forgetLegacy(chatId: number): Promise<void> {
    await runtime.forget('telegram', String(chatId)).catch((error: unknown) => {
      logger.warn({ channel: 'telegram', code: 'forget-failed', err: errorName(error) }, 'forget');
    });
  }

  /** Delivers a turn's messages through the outbox; `live`/`strip`: the keyboards bookkeeping. */
  async function deliver(
    chatId: number,
    userRef: string,
    messages: readonly TelegramMessage[],
    delivery: TurnDelivery,
    live: readonly number[],
    strip: ReadonlySet<number>,
  ): Promise<Disposition> {
    const withKeyboard: number[] = [];
    const outcome = await deliverOutbox({
      store,
      logger,
      channel: 'telegram',
      delivery,
      messages,
      send: async (message) => {
        const sent = await sendOne(chatId, message);
        if (sent.messageId !== undefined && hasChoices(message)) withKeyboard.push(sent.messageId);
        return sent.outcome;
      },
    });
    await keepKeyboards(userRef, live, strip, withKeyboard);
    // Undelivered replies: a non-2xx makes Telegram deliver the update again, and we send them.
    return outcome === 'pending' ? 'retry' : 'done';
  }

  /** The sweep: what a dead instance or a failed send left undelivered for this bot. */
  async function deliverStored(entry: OutboxEntry, delivery: TurnDelivery): Promise<void> {
    const chatId = (entry.target as { chatId?: unknown } | undefined)?.chatId;
    if (typeof chatId !== 'number' || !Number.isSafeInteger(chatId)) {
      await store.outbox.settle(entry.id, delivery.sent, { done: true });
      return;
    }
    const messages = safeRender(outboxReplies(entry.replies), entry.key);
    await deliver(
      chatId,
      entry.userRef,
      messages,
      delivery,
      await recallKeyboards(entry.userRef),
      new Set(),
    );
  }

  async function keepKeyboards(
    userRef: string,
    live: readonly number[],
    strip: ReadonlySet<number>,
    sent: readonly number[],
  ): Promise<void> {
    const kept = live.filter((id) => !strip.has(id));
    const next = [...kept, ...sent].slice(-20);
    if (next.length === live.length && next.every((id, i) => id === live[i])) return;
    await store.coordination
      .remember(`telegram:keyboards:${userRef}`, next, KEYBOARDS_TTL_MS, {
        channel: 'telegram',
        userRef,
      })
      .catch((error: unknown) => {
        logger.warn({ channel: 'telegram', code: 'remember-failed', err: errorName(error) }, 'kb');
      });
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

  // --- Bot API calls (each one logged without text or ids when it fails)

  /** Sends in order; stops at the first failure. Returns the ids of messages with a keyboard. */
  async function sendAll(chatId: number, messages: readonly TelegramMessage[]): Promise<number[]> {
    const withKeyboard: number[] = [];
    for (const message of messages) {
      const sent = await sendOne(chatId, message);
      if (sent.outcome !== 'sent') break;
      if (sent.messageId !== undefined && hasChoices(message)) withKeyboard.push(sent.messageId);
    }
    return withKeyboard;
  }

  /** One message: accepted (with its id), failed for now, or refused for good (bot blocked…). */
  async function sendOne(
    chatId: number,
    message: TelegramMessage,
  ): Promise<{ outcome: SendOutcome; messageId?: number }> {
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
      return { outcome: 'sent', messageId: sent.message_id };
    } catch (error) {
      logApiError('sendMessage', error);
      // 400 (chat not found…) and 403 (blocked by the user) will not change by retrying.
      const refused =
        error instanceof GrammyError && (error.error_code === 400 || error.error_code === 403);
      return { outcome: refused ? 'drop' : 'retry' };
    }
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

  async function recallKeyboards(userRef: string): Promise<number[]> {
    try {
      const value = await store.coordination.recall(`telegram:keyboards:${userRef}`);
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

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function handleUpdate(update: Update): Promise<Disposition> {
    try {
      if (!bot.isInited()) await bot.init();
      return await track(processUpdate(update));
    } catch (error) {
      logger.error(
        { channel: 'telegram', code: 'update-failed', err: errorName(unwrap(error)) },
        'update failed',
      );
      // The store gave up on us: Telegram delivers the update again later.
      return error instanceof StoreUnavailableError ? 'retry' : 'done';
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
        let disposition: Disposition = 'done';
        if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
          const work = handleUpdate(body as Update);
          // Telegram waits about 60 s; past our timeout it gets its 200 and the turn goes on
          // (its replies are in the outbox: the sweep delivers them if this instance dies).
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<Disposition>((resolve) => {
            timer = setTimeout(() => resolve('done'), timeoutMs);
            timer.unref();
          });
          disposition = await Promise.race([work, timeout]);
          clearTimeout(timer);
        }
        if (disposition === 'retry') {
          // Not stored, or replies not delivered: Telegram sends the update again later.
          return reply.code(503).header('retry-after', '5').send({ ok: false });
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

  const sweepArgs = {
    store,
    logger,
    channel: 'telegram' as const,
    idPrefix: `${scope}:`,
    deliver: deliverStored,
  };

  const channel: TelegramChannel = {
    name: 'telegram',
    plugin,
    bot,
    handleUpdate,
    async push(userRef, replies) {
      const [bot, chat] = userRef.split(':');
      const chatId = Number(chat);
      if (bot !== botId || !Number.isSafeInteger(chatId)) throw new Error('not a chat of this bot');
      const messages = safeRender(replies, `telegram:${userRef}`);
      for (const message of messages) {
        const sent = await sendOne(chatId, message);
        if (sent.outcome !== 'sent') throw new Error(`telegram push ${sent.outcome}`);
      }
    },
    sweepOutbox: () => sweepOutbox(sweepArgs),
    async start() {
      await bot.init();
      await registerCommands();
      if ((deps.outboxSweepMs ?? 30_000) > 0) {
        sweep ??= startOutboxSweep({
          ...sweepArgs,
          ...(deps.outboxSweepMs ? { everyMs: deps.outboxSweepMs } : {}),
        });
      }
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
      await sweep?.stop();
      sweep = undefined;
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

/** Only choices go stale; a link button (« Mon plan d'action ») stays on its message. */
function hasChoices(message: TelegramMessage): boolean {
  return (
    message.reply_markup?.inline_keyboard.some((row) => row.some((k) => 'callback_data' in k)) ??
    false
  );
}
