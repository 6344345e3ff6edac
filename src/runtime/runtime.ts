/**
 * The conversation runtime: one turn = lock the key → load the envelope → validate it as
 * untrusted data → start or restore → step the dialogue → persist with compare-and-set → unlock →
 * replies. Every channel calls `turn`; none of them knows XState or the store. One error boundary
 * per turn: whatever fails, the user gets a kind French answer and the stored state is unchanged.
 */
import { createHash } from 'node:crypto';
import type { Reply } from '../reply/model.js';
import {
  type Choice,
  type Envelope,
  MAX_CHOICES,
  parseEnvelope,
  parseTranscript,
  type TranscriptEntry,
  trimTranscript,
} from '../storage/envelope.js';
import {
  LockTimeoutError,
  type OutboxClaim,
  type Owner,
  type Release,
  type Store,
  type TranscriptWrite,
} from '../storage/types.js';
import { cleanEvent, cleanTown } from './hygiene.js';
import { CORRUPTED_TEXT, FALLBACK_TEXT, FLOW_UPDATED_TEXT, notice } from './messages.js';
import { outboxReplies } from './outbox.js';
import type {
  Channel,
  DialogueEngine,
  Effect,
  InboundEvent,
  StepResult,
  TurnContext,
} from './types.js';

// === Public types

/** How a turn ended. */
export type TurnOutcome =
  /** The dialogue took the event and the new state is stored. */
  | 'ok'
  /**
   * Same idempotency key or outbox id as an earlier turn: its replies again (for an outbox, only
   * those not yet delivered, and none while another delivery holds it), nothing advanced.
   */
  | 'replayed'
  /** Refused before the dialogue (empty, too long, no words, malformed action): state unchanged. */
  | 'rejected'
  /** « Oublier mes données »: the user's data is erased, nothing stored. */
  | 'forgotten'
  /** Something failed: the friendly fallback, state unchanged. */
  | 'error'
  /** `mustExist` was set and there is no such conversation: no reply, nothing created. */
  | 'missing';

/** Error codes logged and returned (never a message text). */
export type TurnErrorCode =
  | 'bad-key'
  | 'closed'
  | 'lock-timeout'
  | 'lock-failed'
  | 'load-failed'
  | 'engine-failed'
  | 'conflict'
  | 'persist-failed'
  | 'forget-failed';

/** Errors that come from the store (down, slow, closing): nothing was done, try again later. */
export const RETRYABLE_CODES: ReadonlySet<TurnErrorCode> = new Set<TurnErrorCode>([
  'closed',
  'lock-timeout',
  'lock-failed',
  'load-failed',
  'persist-failed',
  'forget-failed',
]);

/**
 * The outbox entry a channel now delivers (see {@link TurnOptions.outbox}): `replies` are the
 * whole turn's; the first `sent` rendered messages were already accepted by the platform.
 */
export interface TurnDelivery {
  readonly id: string;
  readonly sent: number;
  readonly attempts: number;
  readonly createdAt: number;
}

/** What a channel gets back from a turn. */
export interface TurnResult {
  readonly replies: readonly Reply[];
  readonly outcome: TurnOutcome;
  readonly code?: TurnErrorCode;
  /**
   * Set with `outcome: 'error'` when the store could not be used (nothing was stored): the
   * channel asks the client or the platform to try again (web 503, a Telegram non-2xx).
   */
  readonly retryable?: true;
  /** The stored revision after the turn (ok) or the unchanged one. */
  readonly revision?: number;
  /** Present when the turn used an outbox and the caller must deliver `replies` from it. */
  readonly delivery?: TurnDelivery;
}

/** Per-turn options. */
export interface TurnOptions {
  /**
   * A client-chosen id (web `clientMessageId`): the first turn with it is remembered and a repeat
   * returns the same replies without advancing the dialogue.
   */
  readonly idempotencyKey?: string;
  /**
   * Only continue a stored conversation: when there is none, the turn ends with outcome
   * `'missing'` and no replies, and nothing is created (the widget answers 404 without a
   * separate lookup before the turn).
   */
  readonly mustExist?: boolean;
  /**
   * The caller has just made the key up (a fresh random web conversation id): there is nothing
   * to read, the turn starts a conversation. Should the key exist after all, the write is refused
   * (compare-and-set) and the turn fails kindly; nothing is overwritten.
   */
  readonly isNew?: boolean;
  /**
   * At-least-once delivery (Telegram, Slack): the turn's replies are stored with it under `id`
   * (the platform's delivery id, `{channel}:…`, scoped by bot or team) until the channel has
   * delivered them. When `id` is already stored, the turn is not run again: the result is
   * `'replayed'` with the replies still to deliver (or none). `target` is what a later delivery
   * (the sweep) needs to reach the person.
   */
  readonly outbox?: { readonly id: string; readonly target?: unknown };
}

/** Metrics hook payload (for Prometheus counters and histograms). */
export interface TurnMetric {
  readonly channel: Channel | 'unknown';
  readonly ms: number;
  readonly ok: boolean;
  readonly outcome: TurnOutcome;
  readonly code?: TurnErrorCode;
}

/** Where an effect came from, for `onEffect` and `onForget`. */
export interface EffectOrigin extends Owner {
  readonly key: string;
  readonly town?: string;
}

/** The logging surface the runtime needs (pino fits). */
export interface RuntimeLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** Dependencies and settings of {@link createRuntime}. */
export interface RuntimeOptions {
  readonly engine: DialogueEngine;
  readonly store: Store;
  readonly logger: RuntimeLogger;
  /** Conversations expire after this many days without activity (RETENTION_DAYS, default 30). */
  readonly retentionDays?: number;
  /** Clock, for tests. */
  readonly now?: () => Date;
  /** Effects other than `forget-user` (observatory records…), called after the state is stored. */
  readonly onEffect?: (effect: Effect, origin: EffectOrigin) => Promise<void> | void;
  /** Called when a user's data is erased, to erase what lives outside the conversations. */
  readonly onForget?: (owner: Owner) => Promise<void> | void;
  /** Called once per turn, whatever happened. */
  readonly onTurn?: (metric: TurnMetric) => void;
  /**
   * The lease of a turn's lock, renewed every third of it while the turn runs: a crashed
   * instance frees its conversation after this. Default 3 s.
   */
  readonly lockTtlMs?: number;
  /** Longest time a turn waits for the lock. Default 10 s. */
  readonly lockWaitMs?: number;
  /** How long an idempotency key is remembered. Default 24 h. */
  readonly idempotencyTtlMs?: number;
  /**
   * How long the instance that ran a turn has to deliver its outbox before another may (the
   * send may wait out a Telegram 429 of up to 60 s). Default 90 s.
   */
  readonly outboxLeaseMs?: number;
  /** How long an outbox id is kept (a de-duplication record once delivered). Default 48 h. */
  readonly outboxTtlMs?: number;
  /**
   * Channels whose transcript is recorded, because they show it again: the web widget restores
   * it after a reload, the terminal resumes from it. Telegram and Slack keep their own history,
   * so nothing is written for them. Default `['web', 'console']`.
   */
  readonly transcriptChannels?: readonly Channel[];
}

/** Channels whose transcript is recorded unless {@link RuntimeOptions.transcriptChannels} says. */
export const DEFAULT_TRANSCRIPT_CHANNELS: readonly Channel[] = ['web', 'console'];

/** The runtime the channels talk to. */
export interface Runtime {
  /** Runs one turn on conversation `key` (`{channel}:{id}`); never throws. */
  turn(
    key: string,
    event: InboundEvent,
    ctx: TurnContext,
    options?: TurnOptions,
  ): Promise<TurnResult>;
  /**
   * The stored transcript of `key` (the widget restores it), or undefined when there is no such
   * conversation; empty for a channel whose transcript is not recorded.
   */
  transcript(key: string): Promise<readonly TranscriptEntry[] | undefined>;
  /** Erases every conversation of a user and what is keyed to them; returns how many went. */
  forget(channel: Channel, userRef: string): Promise<number>;
  /** Stops taking turns and waits for the turns in flight (the store is closed by its owner). */
  close(): Promise<void>;
}

// === Keys

const CHANNEL_NAMES: readonly Channel[] = ['web', 'telegram', 'slack', 'console'];
const KEY = /^([a-z]+):([\x21-\x7e]{1,200})$/;

/** Builds the conversation key of a channel and its conversation id. */
export function conversationKey(channel: Channel, id: string): string {
  return `${channel}:${id}`;
}

/** Splits a key into channel and id, or undefined when it is not one of ours. */
export function parseKey(key: string): { channel: Channel; id: string } | undefined {
  const match = KEY.exec(key);
  if (!match) return undefined;
  const channel = match[1] as Channel;
  return CHANNEL_NAMES.includes(channel) ? { channel, id: match[2] ?? '' } : undefined;
}

/** A key safe for logs: the channel and a short digest of the id (the id may be a user id). */
export function logKey(key: string): string {
  const parsed = parseKey(key);
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${parsed?.channel ?? 'unknown'}:${digest}`;
}

// === The runtime

class TurnError extends Error {
  constructor(
    readonly code: TurnErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'TurnError';
  }
}

const DAY_MS = 86_400_000;

/** Creates the conversation runtime over a dialogue engine and a store. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { engine, store, logger } = options;
  const now = options.now ?? (() => new Date());
  const retentionMs = Math.max(1, options.retentionDays ?? 30) * DAY_MS;
  const lockTtlMs = options.lockTtlMs ?? 3_000;
  const outboxLeaseMs = options.outboxLeaseMs ?? 90_000;
  const outboxTtlMs = options.outboxTtlMs ?? 2 * DAY_MS;
  const lockWaitMs = options.lockWaitMs ?? 10_000;
  const idempotencyTtlMs = options.idempotencyTtlMs ?? DAY_MS;
  const recorded = new Set<Channel>(options.transcriptChannels ?? DEFAULT_TRANSCRIPT_CHANNELS);
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;

  async function runTurn(
    key: string,
    rawEvent: InboundEvent,
    ctx: TurnContext,
    turnOptions: TurnOptions,
  ): Promise<TurnResult> {
    const parsed = parseKey(key);
    if (!parsed || parsed.channel !== ctx.channel) throw new TurnError('bad-key');
    if (closing) throw new TurnError('closed');

    const clean = cleanEvent(rawEvent);
    if (!clean.ok) {
      // A refused message to a conversation that does not exist is still « missing ».
      if (turnOptions.mustExist && !(await exists(key))) return { replies: [], outcome: 'missing' };
      return { replies: [clean.reply], outcome: 'rejected' };
    }
    const event = clean.event;

    if (turnOptions.outbox && !turnOptions.outbox.id.startsWith(`${ctx.channel}:`)) {
      throw new TurnError('bad-key');
    }

    let release: Release | undefined;
    try {
      release = await store.coordination.lock(key, lockTtlMs, lockWaitMs);
    } catch (error) {
      throw new TurnError(error instanceof LockTimeoutError ? 'lock-timeout' : 'lock-failed', {
        cause: error,
      });
    }
    // The lease is renewed while the turn runs: only a dead instance lets it run out.
    const held = release;
    const renewal = setInterval(() => {
      held.renew(lockTtlMs).catch(() => undefined);
    }, lockTtlMs / 3);
    renewal.unref();
    try {
      return await lockedTurn(key, event, ctx, turnOptions);
    } finally {
      clearInterval(renewal);
      await release().catch((error: unknown) => {
        logger.warn({ key: logKey(key), code: 'unlock-failed', err: errorName(error) }, 'unlock');
      });
    }
  }

  async function exists(key: string): Promise<boolean> {
    try {
      return (await store.conversations.get(key)) !== undefined;
    } catch (error) {
      throw new TurnError('load-failed', { cause: error });
    }
  }

  async function lockedTurn(
    key: string,
    event: InboundEvent,
    ctx: TurnContext,
    turnOptions: TurnOptions,
  ): Promise<TurnResult> {
    const owner: Owner = { channel: ctx.channel, userRef: ctx.userRef };
    const messageId = turnOptions.idempotencyKey;
    const record = recorded.has(ctx.channel);
    const outbox = turnOptions.outbox;

    // --- A redelivered update whose turn is stored: its undelivered replies, never a new turn.
    if (outbox) {
      let claim: OutboxClaim;
      try {
        claim = await store.outbox.claim(outbox.id, outboxLeaseMs);
      } catch (error) {
        throw new TurnError('load-failed', { cause: error });
      }
      if (claim.state !== 'absent') return replayOutbox(claim);
    }

    // --- Load, validate as untrusted
    let stored: Awaited<ReturnType<Store['conversations']['get']>>;
    try {
      stored = turnOptions.isNew ? undefined : await store.conversations.get(key);
    } catch (error) {
      throw new TurnError('load-failed', { cause: error });
    }
    if (stored === undefined && turnOptions.mustExist) return { replies: [], outcome: 'missing' };
    let previous: Envelope | undefined;
    let legacy: TranscriptEntry[] | undefined;
    let preface: Reply[] = [];
    if (stored?.trusted) {
      // The envelope this process wrote last turn, kept by the store: valid when it was written.
      previous = stored.data as Envelope;
    } else if (stored) {
      const result = parseEnvelope(stored.data, key);
      if (result.ok) {
        previous = result.envelope;
        // An envelope from before the transcript moved out: its entries move on this turn.
        if (result.legacyTranscript !== undefined)
          legacy = parseTranscript(result.legacyTranscript);
      } else {
        logger.warn(
          { key: logKey(key), code: 'envelope-discarded', reason: result.reason },
          'stored conversation discarded',
        );
        preface = [notice(CORRUPTED_TEXT)];
      }
    }
    if (messageId) {
      let replayed: readonly Reply[] | undefined;
      try {
        replayed = await replayOf(key, messageId, record, previous, stored?.trusted === true);
      } catch (error) {
        throw new TurnError('load-failed', { cause: error });
      }
      if (replayed) return { replies: replayed, outcome: 'replayed', revision: stored?.revision };
    }
    const expectedRevision = stored?.revision ?? 0;
    const town =
      (event.type === 'start' ? event.town : undefined) ?? previous?.town ?? cleanCtxTown(ctx);
    const engineCtx: TurnContext = town ? { ...ctx, town } : ctx;

    // --- Step the dialogue
    let step: StepResult;
    let replies: Reply[];
    try {
      const outdated =
        previous !== undefined &&
        (previous.flowId !== engine.flowId || previous.flowVersion !== engine.version);
      if (previous && !outdated) {
        step = engine.step(previous.snapshot, event, engineCtx);
        replies = [...step.replies];
      } else {
        if (outdated) preface = [notice(FLOW_UPDATED_TEXT)];
        const startEvent: InboundEvent & { type: 'start' } =
          event.type === 'start'
            ? { ...event, ...(town && !event.town ? { town } : {}) }
            : { type: 'start', ...(town ? { town } : {}) };
        const started = engine.start(startEvent, engineCtx);
        step = started;
        replies = [...started.replies];
        // A message on a new conversation is answered too; an old button after a restart is not
        // (it belonged to the previous version of the dialogue).
        const handleToo =
          event.type === 'text' || (event.type === 'action' && !outdated && preface.length === 0);
        if (handleToo) {
          step = engine.step(started.snapshot, event, { ...engineCtx, afterStart: true });
          // An answer that shows the welcome again (« aide », « menu ») shows it once.
          const answer = step.replies;
          replies = [...replies.filter((r) => !shownAgain(r, answer)), ...answer];
          step = { ...step, effects: [...(started.effects ?? []), ...(step.effects ?? [])] };
        }
      }
    } catch (error) {
      throw new TurnError('engine-failed', { cause: error });
    }
    replies = [...preface, ...replies];
    const effects = step.effects ?? [];

    // --- « Oublier mes données »: erase after the turn, store nothing
    if (effects.some((e) => e.type === 'forget-user')) {
      try {
        await eraseUser(owner, key);
      } catch (error) {
        throw new TurnError('forget-failed', { cause: error });
      }
      return { replies, outcome: 'forgotten' };
    }

    // --- Persist with compare-and-set: a small envelope, and the turn's transcript entries
    // appended beside it in the same write (only where a channel shows the transcript again).
    const at = now();
    const atMs = at.getTime();
    const choices = record ? choicesOf(replies) : undefined;
    const envelope: Envelope = {
      key,
      channel: ctx.channel,
      userRef: ctx.userRef,
      flowId: engine.flowId,
      flowVersion: engine.version,
      revision: expectedRevision + 1,
      snapshot: step.snapshot,
      ...(choices && choices.length > 0 ? { choices } : {}),
      ...(town ? { town } : {}),
      // Where the transcript is recorded, its last entry holds this turn's replies: the message
      // id beside it is all a repeat needs (no separate idempotency record).
      ...(record && messageId ? { lastMessageId: messageId } : {}),
      createdAt: previous?.createdAt ?? atMs,
      updatedAt: atMs,
      expiresAt: atMs + retentionMs,
    };
    let transcript: TranscriptWrite | undefined;
    if (record) {
      const iso = at.toISOString();
      const entries: TranscriptEntry[] = legacy ? [...legacy] : [];
      const userEntry = toUserEntry(event, iso, previous?.choices ?? lastChoices(legacy));
      if (userEntry) entries.push(userEntry);
      entries.push({ from: 'bot', at: iso, replies });
      transcript = {
        entries: legacy ? trimTranscript(entries) : entries,
        // A record that was discarded takes its transcript with it; an older envelope's
        // transcript is moved over whole.
        replace: previous === undefined || legacy !== undefined,
      };
    }
    let accepted: boolean;
    try {
      accepted = await store.conversations.put(
        envelope,
        expectedRevision,
        transcript,
        outbox && {
          id: outbox.id,
          replies,
          ...(outbox.target !== undefined ? { target: outbox.target } : {}),
          leaseMs: outboxLeaseMs,
          ttlMs: outboxTtlMs,
        },
      );
    } catch (error) {
      throw new TurnError('persist-failed', { cause: error });
    }
    if (!accepted) throw new TurnError('conflict');

    if (messageId && !record) {
      const idemId = idempotencyId(key, messageId);
      await store.coordination
        .remember(idemId, replies, idempotencyTtlMs, owner)
        .catch((error: unknown) => {
          logger.warn({ key: logKey(key), code: 'remember-failed', err: errorName(error) }, 'idem');
        });
    }

    // --- Other effects, once the state is safely stored
    for (const effect of effects) {
      if (effect.type === 'forget-user') continue;
      try {
        await options.onEffect?.(effect, { ...owner, key, ...(town ? { town } : {}) });
      } catch (error) {
        logger.error(
          { key: logKey(key), code: 'effect-failed', effect: effect.type, err: errorName(error) },
          'effect failed',
        );
      }
    }
    return {
      replies,
      outcome: 'ok',
      revision: envelope.revision,
      ...(outbox ? { delivery: { id: outbox.id, sent: 0, attempts: 1, createdAt: atMs } } : {}),
    };
  }

  /** The result of a turn found in the outbox: what is left to deliver, if this caller may. */
  function replayOutbox(claim: OutboxClaim): TurnResult {
    if (claim.state !== 'claimed') return { replies: [], outcome: 'replayed' };
    const { entry } = claim;
    return {
      replies: outboxReplies(entry.replies),
      outcome: 'replayed',
      delivery: {
        id: entry.id,
        sent: entry.sent,
        attempts: entry.attempts,
        createdAt: entry.createdAt,
      },
    };
  }

  /**
   * The replies of an earlier turn that carried `messageId`, or undefined when it is new. Where
   * the transcript is recorded, the envelope names the last turn's id and the transcript's last
   * entry holds its replies (a client repeats its last message, never an older one once a newer
   * one was answered). Otherwise, and for an envelope written before that (no id in it), the
   * store's idempotency record answers.
   */
  async function replayOf(
    key: string,
    messageId: string,
    record: boolean,
    previous: Envelope | undefined,
    trusted: boolean,
  ): Promise<readonly Reply[] | undefined> {
    if (record && previous?.lastMessageId !== undefined) {
      if (previous.lastMessageId !== messageId) return undefined;
      const rows = await store.transcripts.read(key);
      const last = parseTranscript(rows.slice(-1))[0];
      return last?.from === 'bot' ? (last.replies ?? []) : undefined;
    }
    // This process wrote the last turn, without a message id, on a recorded channel: it wrote
    // no idempotency record either, and the client repeats only its last message.
    if (record && trusted && previous !== undefined) return undefined;
    const remembered = await store.coordination.recall(idempotencyId(key, messageId));
    return Array.isArray(remembered) ? (remembered as Reply[]) : undefined;
  }

  async function eraseUser(owner: Owner, key?: string): Promise<number> {
    let removed = await store.conversations.deleteByUser(owner.channel, owner.userRef);
    if (key && (await store.conversations.delete(key))) removed++;
    await options.onForget?.(owner);
    return removed;
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  return {
    turn(key, event, ctx, turnOptions = {}) {
      const started = performance.now();
      const channel = parseKey(key)?.channel ?? 'unknown';
      const work = runTurn(key, event, ctx, turnOptions).catch((error: unknown): TurnResult => {
        const code: TurnErrorCode = error instanceof TurnError ? error.code : 'engine-failed';
        const cause = error instanceof TurnError ? error.cause : error;
        logger.error(
          { key: logKey(key), channel, code, err: errorName(cause) },
          'turn failed, fallback sent',
        );
        return {
          replies: [notice(FALLBACK_TEXT)],
          outcome: 'error',
          code,
          ...(RETRYABLE_CODES.has(code) ? { retryable: true as const } : {}),
        };
      });
      return track(
        work.then((result) => {
          try {
            options.onTurn?.({
              channel,
              ms: performance.now() - started,
              ok: result.outcome !== 'error',
              outcome: result.outcome,
              ...(result.code ? { code: result.code } : {}),
            });
          } catch {
            // a metrics hook never breaks a turn
          }
          return result;
        }),
      );
    },

    async transcript(key) {
      const stored = await store.conversations.get(key);
      if (!stored) return undefined;
      const result = parseEnvelope(stored.data, key);
      if (!result.ok) return undefined;
      const entries = parseTranscript(await store.transcripts.read(key));
      // Not yet moved out of an older envelope (no turn since the upgrade): read it there.
      if (entries.length === 0 && result.legacyTranscript !== undefined) {
        return parseTranscript(result.legacyTranscript);
      }
      return entries;
    },

    forget(channel, userRef) {
      return track(eraseUser({ channel, userRef }));
    },

    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

// === Helpers

function cleanCtxTown(ctx: TurnContext): string | undefined {
  return typeof ctx.town === 'string' ? cleanTown(ctx.town) : undefined;
}

/** The store's idempotency record of a message on a conversation. */
function idempotencyId(key: string, messageId: string): string {
  return `idem:${key}:${messageId}`;
}

/** The user's side of the transcript: their text, or the label of the button they pressed. */
function toUserEntry(
  event: InboundEvent,
  at: string,
  choices: readonly Choice[] | undefined,
): TranscriptEntry | undefined {
  if (event.type === 'text') return { from: 'user', at, text: event.text };
  if (event.type !== 'action') return undefined;
  const label = choices?.find((c) => c[0] === event.action)?.[1];
  return { from: 'user', at, action: event.action, ...(label ? { text: label } : {}) };
}

/**
 * The buttons of a turn's replies (cards first, as the user reads them), as `[action, label]`,
 * within the envelope schema's bounds (a button beyond them is simply not labelled later).
 */
function choicesOf(replies: readonly Reply[]): Choice[] {
  const out: Choice[] = [];
  const add = (action: string, label: string) => {
    if (out.length < MAX_CHOICES && action.length <= 64 && label.length <= 200) {
      out.push([action, label]);
    }
  };
  for (const r of replies) {
    for (const c of r.cards ?? []) for (const b of c.buttons ?? []) add(b.action, b.label);
    for (const b of r.buttons ?? []) add(b.action, b.label);
  }
  return out;
}

/** The buttons of the last bot entry of an older envelope's transcript. */
function lastChoices(entries: readonly TranscriptEntry[] | undefined): Choice[] | undefined {
  if (!entries) return undefined;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.from === 'bot') return choicesOf(entry.replies ?? []);
  }
  return undefined;
}

/** Only the error's class name is logged: messages may quote what the user wrote. */
function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name}:${code}` : error.name;
  }
  return typeof error;
}

/**
 * True when `reply` is repeated inside `later`: one of them carries all its blocks, its cards and
 * the same buttons (the renderer may have joined it to a sentence said before it).
 */
function shownAgain(reply: Reply, later: readonly Reply[]): boolean {
  const json = (v: unknown) => JSON.stringify(v ?? null);
  return later.some((other) => {
    const blocks = new Set(other.blocks.map(json));
    return (
      reply.blocks.every((b) => blocks.has(json(b))) &&
      json(reply.cards) === json(other.cards) &&
      json(reply.buttons) === json(other.buttons)
    );
  });
}
