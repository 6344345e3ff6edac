/**
 * At-least-once delivery on Slack (issue 20): a turn runs with the request's id as its outbox id
 * (`currentSlackRequestId`, set by the receiver), so its replies are stored with it; they are
 * rendered and sent in order, each one marked delivered once Slack accepted it. A retried request
 * whose turn is stored gets what is left (the receiver's `redeliver`), and a periodic sweep sends
 * what a dead instance left — never a reply twice, never the turn again.
 */
import { webApi } from '@slack/bolt';
import { text } from '../../src/reply/build.js';
import type { Reply } from '../../src/reply/model.js';
import {
  claimOutbox,
  type DeliveryOutcome,
  deliverOutbox,
  type OutboxLogger,
  type OutboxSweep,
  outboxReplies,
  startOutboxSweep,
  sweepOutbox,
} from '../../src/runtime/outbox.js';
import type { Runtime, TurnDelivery } from '../../src/runtime/runtime.js';
import type { InboundEvent, TurnContext } from '../../src/runtime/types.js';
import type { OutboxEntry, Store } from '../../src/storage/types.js';
import type { Deliver, DeliveryTarget } from './deliver.js';
import { currentSlackRequestId } from './receiver.js';
import { renderReplies } from './render.js';

/** What {@link createSlackOutbox} needs. */
export interface SlackOutboxOptions {
  readonly store: Pick<Store, 'outbox'>;
  readonly runtime: Pick<Runtime, 'turn'>;
  readonly logger: OutboxLogger;
  readonly deliver: Deliver;
  /** The bot token and API URL, for deliveries outside a request (retries, the sweep). */
  readonly botToken: string;
  readonly apiUrl?: string;
  /** Pause between two sweeps, in ms (0 = none). Default 30 s. */
  readonly sweepMs?: number;
}

/** The Slack side of the outbox. */
export interface SlackOutbox {
  /**
   * One runtime turn whose replies go out through the outbox (when a request is being
   * processed), else directly.
   */
  turn(
    client: webApi.WebClient,
    key: string,
    event: InboundEvent,
    ctx: TurnContext,
    target: DeliveryTarget,
  ): Promise<void>;
  /** Sends what is left of a stored request's replies (a retried request). */
  redeliver(id: string): Promise<boolean>;
  /** Delivers now what is due (what a dead instance left); resolves with how many it took. */
  sweep(): Promise<number>;
  /** Stops the periodic sweep. */
  stop(): Promise<void>;
}

/** The apology when the store is away: the command was not run, the person can send it again. */
export const STORE_DOWN_TEXT =
  'Désolé, le service reprend dans un instant : relancez votre commande dans quelques secondes.';

/** Lease of a claimed entry: Slack's own retries stay within 10 s per call. */
const LEASE_MS = 60_000;

/** Creates the Slack outbox; the periodic sweep starts at once (unless `sweepMs` is 0). */
export function createSlackOutbox(options: SlackOutboxOptions): SlackOutbox {
  const { store, logger, deliver } = options;
  let client: webApi.WebClient | undefined;
  /** A Web API client of our own, for deliveries that are not inside a request. */
  const ownClient = () => {
    client ??= new webApi.WebClient(options.botToken, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 1, factor: 2, minTimeout: 500, maxTimeout: 2000 },
      timeout: 10_000,
    });
    return client;
  };

  function send(
    with_: webApi.WebClient,
    target: DeliveryTarget,
    replies: readonly Reply[],
    delivery: TurnDelivery,
  ): Promise<DeliveryOutcome> {
    return deliverOutbox({
      store,
      logger,
      channel: 'slack',
      delivery,
      messages: renderReplies(replies),
      send: async (message) => ((await deliver(with_, target, [message])) === 1 ? 'sent' : 'retry'),
    });
  }

  async function deliverStored(entry: OutboxEntry, delivery: TurnDelivery): Promise<void> {
    const target = readTarget(entry.target);
    if (!target) {
      await store.outbox.settle(entry.id, delivery.sent, { done: true });
      return;
    }
    await send(ownClient(), target, outboxReplies(entry.replies), delivery);
  }

  const sweepArgs = {
    store,
    logger,
    channel: 'slack' as const,
    idPrefix: 'slack:',
    deliver: deliverStored,
    leaseMs: LEASE_MS,
  };
  const sweepMs = options.sweepMs ?? 30_000;
  let periodic: OutboxSweep | undefined =
    sweepMs > 0 ? startOutboxSweep({ ...sweepArgs, everyMs: sweepMs }) : undefined;

  return {
    async turn(with_, key, event, ctx, target) {
      const id = currentSlackRequestId();
      const result = await options.runtime.turn(
        key,
        event,
        ctx,
        id ? { outbox: { id, target } } : {},
      );
      if (result.delivery) {
        await send(with_, target, result.replies, result.delivery);
        return;
      }
      if (result.retryable) {
        // The store is away: nothing was stored. Said plainly, and logged (not lost silently).
        options.logger.warn({ channel: 'slack', code: 'store-unavailable' }, 'command not run');
        await deliver(with_, target, renderReplies([text(STORE_DOWN_TEXT)]));
        return;
      }
      // Nothing stored for it (refused, failed, erased): sent once, as it is; a replay of a
      // delivered (or being delivered) request sends nothing.
      if (result.outcome !== 'replayed')
        await deliver(with_, target, renderReplies(result.replies));
    },
    redeliver(id) {
      return claimOutbox(store, id, LEASE_MS, deliverStored);
    },
    sweep() {
      return sweepOutbox(sweepArgs);
    },
    async stop() {
      await periodic?.stop();
      periodic = undefined;
    },
  };
}

/** A stored delivery target, read back as untrusted data. */
function readTarget(data: unknown): DeliveryTarget | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { responseUrl, userId } = data as { responseUrl?: unknown; userId?: unknown };
  if (typeof userId !== 'string' || userId.length === 0) return undefined;
  return { userId, ...(typeof responseUrl === 'string' ? { responseUrl } : {}) };
}
