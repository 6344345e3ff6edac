/**
 * The handover's narrow storage port, and its one implementation over the store port: the
 * request lives under `handover:{key}` and its Slack thread points back at it under
 * `handover:thread:{channel}:{ts}`, both kept with `remember` under the person as owner — so
 * memory, SQLite and Redis (across instances, under REDIS_KEY_PREFIX) all hold it, and
 * « oublier mes données » (`deleteByUser`) erases it with the conversation. Changes run under a
 * store lock of their own, so that « Je prends », a reply and the person's message never
 * overwrite each other, whichever instance receives them.
 */
import type { CoordinationStore, Owner, Release } from '../storage/types.js';
import { type Handover, parseHandover } from './model.js';

export interface HandoverStore {
  get(key: string): Promise<Handover | undefined>;
  /** Writes `handover` (and its thread link when it has a Slack message). */
  put(handover: Handover): Promise<void>;
  /** Forgets the request and its thread link. */
  remove(handover: Handover): Promise<void>;
  /** The conversation key whose request is this Slack message, if any. */
  byThread(channel: string, ts: string): Promise<string | undefined>;
  /** Runs `work` alone for this conversation's handover. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** True the first time `id` is seen (retries, redeliveries, two instances). */
  firstTime(id: string): Promise<boolean>;
  /**
   * The conversation keys of the requests posted and not known closed, oldest first: the
   * periodic check walks them on any instance (at most {@link MAX_OPEN}).
   */
  openKeys(): Promise<string[]>;
  /** Adds `key` to the open requests (`open`), or takes it out. */
  track(key: string, open: boolean): Promise<void>;
}

/** Open requests the index keeps (the oldest go first beyond it). */
export const MAX_OPEN = 500;

const DAY_MS = 86_400_000;
/** Longer than a Slack call with its retries (3 × 10 s), so that a slow Slack never lets two in. */
const LOCK_TTL_MS = 45_000;
/** A relay id is remembered this long (Slack retries within minutes, Telegram within 24 h). */
const SEEN_TTL_MS = 2 * DAY_MS;

/** The handover store over the storage's coordination port (memos, a lock, de-duplication). */
export function createHandoverStore(
  store: CoordinationStore,
  options: { readonly retentionDays?: number } = {},
): HandoverStore {
  const ttl = Math.max(1, options.retentionDays ?? 30) * DAY_MS;
  const id = (key: string) => `handover:${key}`;
  const threadId = (channel: string, ts: string) => `handover:thread:${channel}:${ts}`;
  const ownerOf = (h: Handover): Owner => ({ channel: h.channel, userRef: h.userRef });
  const OPEN = 'handover:open';
  const readOpen = async (): Promise<string[]> => {
    const keys = await store.recall(OPEN);
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  };
  /** Runs `work` under `lockId` (a store lock of the handover's own). */
  const locked = async <T>(lockId: string, work: () => Promise<T>): Promise<T> => {
    const release: Release = await store.lock(lockId, LOCK_TTL_MS, 15_000);
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  };
  return {
    async get(key) {
      return parseHandover(await store.recall(id(key)), key);
    },
    async put(handover) {
      await store.remember(id(handover.key), handover, ttl, ownerOf(handover));
      if (handover.slack) {
        const link = threadId(handover.slack.channel, handover.slack.ts);
        await store.remember(link, handover.key, ttl, ownerOf(handover));
      }
    },
    async remove(handover) {
      // `remember` has no delete: an already-expired record is as good as none.
      await store.remember(id(handover.key), null, 1, ownerOf(handover));
      if (handover.slack) {
        await store.remember(
          threadId(handover.slack.channel, handover.slack.ts),
          null,
          1,
          ownerOf(handover),
        );
      }
    },
    async byThread(channel, ts) {
      const key = await store.recall(threadId(channel, ts));
      return typeof key === 'string' ? key : undefined;
    },
    exclusive(key, work) {
      return locked(`handover-lock:${key}`, work);
    },
    firstTime(relayId) {
      return store.markSeen(`handover:seen:${relayId}`, SEEN_TTL_MS);
    },
    openKeys: readOpen,
    track(key, open) {
      return locked('handover-lock:open', async () => {
        const keys = (await readOpen()).filter((k) => k !== key);
        if (open) keys.push(key);
        // Conversation keys only, no owner: the requests themselves go with « oublier mes
        // données », and a key whose request is gone leaves at the next check.
        await store.remember(OPEN, keys.slice(-MAX_OPEN), ttl);
      });
    },
  };
}
