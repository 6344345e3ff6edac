/**
 * At-least-once delivery (issue 20): a turn's replies are stored with the turn, in the outbox
 * (`store.outbox`), and marked delivered only once the platform accepted them. A channel sends
 * a turn's rendered messages through {@link deliverOutbox}, which records each accepted message,
 * so that a redelivered update, a retried request or the periodic sweep ({@link startOutboxSweep})
 * sends what is left — never a message twice, never the turn again. Attempts are bounded and an
 * entry older than the age limit is given up (logged as an error: an operator can see it).
 */
import type { Reply } from '../reply/model.js';
import { parseTranscript } from '../storage/envelope.js';
import type { OutboxEntry, Store } from '../storage/types.js';
import type { TurnDelivery } from './runtime.js';
import type { Channel } from './types.js';

/** What became of one message: accepted, failed for now, or refused for good (bot blocked…). */
export type SendOutcome = 'sent' | 'retry' | 'drop';

/** How a delivery ended. */
export type DeliveryOutcome = 'delivered' | 'pending' | 'abandoned';

/** Retry limits of the outbox. */
export interface OutboxPolicy {
  /** Attempts (the first send included) before an entry is given up. Default 6. */
  readonly maxAttempts: number;
  /** Age after which an entry is given up, in ms. Default 24 h (Telegram keeps updates 24 h). */
  readonly maxAgeMs: number;
  /** Pause before the sweep tries again after the n-th failed attempt, in ms. */
  readonly backoffMs: (attempt: number) => number;
}

/** Default limits: 6 attempts, 24 h, 15 s doubling up to 15 min between sweeps' attempts. */
export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  maxAttempts: 6,
  maxAgeMs: 24 * 3_600_000,
  backoffMs: (attempt) => Math.min(15 * 60_000, 15_000 * 2 ** Math.max(0, attempt - 1)),
};

/** The logging surface delivery needs (pino fits). Never given message text or ids. */
export interface OutboxLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The stored replies of an outbox entry, validated as untrusted data (invalid: none). */
export function outboxReplies(data: unknown): readonly Reply[] {
  return parseTranscript([{ from: 'bot', at: EPOCH, replies: data }])[0]?.replies ?? [];
}
const EPOCH = new Date(0).toISOString();

/** What {@link deliverOutbox} needs. */
export interface DeliverOutboxArgs<M> {
  readonly store: Pick<Store, 'outbox'>;
  readonly logger: OutboxLogger;
  readonly channel: Channel;
  readonly delivery: TurnDelivery;
  /** Every rendered message of the turn, in order; those before `delivery.sent` are skipped. */
  readonly messages: readonly M[];
  readonly send: (message: M) => Promise<SendOutcome>;
  readonly policy?: OutboxPolicy;
  readonly now?: () => number;
}

/**
 * Sends the messages not yet accepted, in order, recording progress in the outbox; stops at the
 * first failure (the rest waits for a redelivery or the sweep). Never throws.
 */
export async function deliverOutbox<M>(args: DeliverOutboxArgs<M>): Promise<DeliveryOutcome> {
  const { store, logger, channel, delivery, messages } = args;
  const policy = args.policy ?? DEFAULT_OUTBOX_POLICY;
  const now = args.now ?? Date.now;
  const settle = (sent: number, next: Parameters<Store['outbox']['settle']>[2]) =>
    store.outbox.settle(delivery.id, sent, next).catch((error: unknown) => {
      // The lease runs out by itself: the rest is delivered again later (at least once).
      logger.warn({ channel, code: 'outbox-settle-failed', err: errorName(error) }, 'outbox');
    });
  let sent = Math.max(0, delivery.sent);
  while (sent < messages.length) {
    let outcome: SendOutcome;
    try {
      outcome = await args.send(messages[sent] as M);
    } catch {
      outcome = 'retry';
    }
    if (outcome === 'sent') {
      sent++;
      if (sent < messages.length) await settle(sent, { done: false });
      continue;
    }
    const tooOld = now() - delivery.createdAt >= policy.maxAgeMs;
    if (outcome === 'drop' || delivery.attempts >= policy.maxAttempts || tooOld) {
      await settle(sent, { done: true });
      logger.error(
        {
          channel,
          code: 'outbox-abandoned',
          reason: outcome === 'drop' ? 'refused' : tooOld ? 'too-old' : 'too-many-attempts',
          attempts: delivery.attempts,
          sent,
          total: messages.length,
        },
        'replies given up after failed deliveries',
      );
      return 'abandoned';
    }
    await settle(sent, { done: false, retryAt: now() + policy.backoffMs(delivery.attempts) });
    logger.warn(
      {
        channel,
        code: 'outbox-pending',
        attempts: delivery.attempts,
        sent,
        total: messages.length,
      },
      'replies kept for a later delivery',
    );
    return 'pending';
  }
  await settle(sent, { done: true });
  return 'delivered';
}

/** Claims an outbox entry and hands it to `deliver` when this caller may deliver it. */
export async function claimOutbox(
  store: Pick<Store, 'outbox'>,
  id: string,
  leaseMs: number,
  deliver: (entry: OutboxEntry, delivery: TurnDelivery) => Promise<unknown>,
): Promise<boolean> {
  const claim = await store.outbox.claim(id, leaseMs);
  if (claim.state !== 'claimed') return false;
  const { entry } = claim;
  await deliver(entry, {
    id: entry.id,
    sent: entry.sent,
    attempts: entry.attempts,
    createdAt: entry.createdAt,
  });
  return true;
}

/** What {@link startOutboxSweep} needs. */
export interface OutboxSweepArgs {
  readonly store: Pick<Store, 'outbox'>;
  readonly logger: OutboxLogger;
  readonly channel: Channel;
  /** Only ids starting with this (this bot's, this deployment's) are taken. */
  readonly idPrefix: string;
  /** Delivers one claimed entry (renders its replies, sends them through `deliverOutbox`). */
  readonly deliver: (entry: OutboxEntry, delivery: TurnDelivery) => Promise<unknown>;
  /** Pause between two sweeps, in ms; the first one runs at once. Default 30 s. */
  readonly everyMs?: number;
  /** Lease of a claimed entry. Default 90 s. */
  readonly leaseMs?: number;
  /** Entries per sweep. Default 50. */
  readonly batch?: number;
}

/**
 * One sweep: claims the due entries of `channel` under `idPrefix` and delivers them; resolves
 * with how many it claimed. Throws when the store cannot list them.
 */
export async function sweepOutbox(
  args: Omit<OutboxSweepArgs, 'everyMs'>,
  stopped: () => boolean = () => false,
): Promise<number> {
  let claimed = 0;
  const ids = await args.store.outbox.due(args.channel, args.batch ?? 50);
  for (const id of ids) {
    if (stopped()) break;
    if (!id.startsWith(args.idPrefix)) continue;
    if (await claimOutbox(args.store, id, args.leaseMs ?? 90_000, args.deliver)) claimed++;
  }
  return claimed;
}

/** A running sweep. */
export interface OutboxSweep {
  /** One sweep now; resolves with how many entries it claimed. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Delivers, periodically and once at start, what a dead instance (or a failed send) left in the
 * outbox of `channel`. Failures are logged; the sweep goes on.
 */
export function startOutboxSweep(args: OutboxSweepArgs): OutboxSweep {
  const everyMs = args.everyMs ?? 30_000;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweep = () => sweepOutbox(args, () => stopped);

  function runOnce(): Promise<number> {
    running ??= sweep()
      .catch((error: unknown) => {
        args.logger.warn(
          { channel: args.channel, code: 'outbox-sweep-failed', err: errorName(error) },
          'outbox sweep failed',
        );
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void runOnce(), everyMs);
  timer.unref();
  void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name}:${code}` : error.name;
  }
  return typeof error;
}
