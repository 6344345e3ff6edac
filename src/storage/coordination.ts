/**
 * The coordination port: what lets turns and deliveries not step on each other — keyed locks
 * (one turn per conversation at a time, across instances with Redis), de-duplication of a
 * platform's redeliveries (`markSeen`) and idempotency memos (`remember` / `recall`: the replies
 * to a `clientMessageId`, a handover's state). Nothing here is a conversation; memos with an
 * owner are erased with that user's conversations.
 */
import type { Channel } from './channels.js';

/**
 * Gives a lock back. Calling it twice, or after the lock expired, does nothing. `renew` extends
 * the lease by `ttlMs` from now while the holder works (false once it was lost: expired, taken).
 */
export type Release = (() => Promise<void>) & {
  readonly renew: (ttlMs: number) => Promise<boolean>;
};

/** Whom a stored item belongs to, so that erase-by-user finds it. */
export interface Owner {
  readonly channel: Channel;
  readonly userRef: string;
}

/** Locks, de-duplication and idempotency memos (`Store.coordination`). */
export interface CoordinationStore {
  /**
   * Exclusive lock on `key`, held at most `ttlMs` (a crashed holder does not block forever),
   * waiting at most `waitMs` in a fair (first come, first served) queue. Rejects with
   * `LockTimeoutError` (types.ts) when the wait runs out.
   */
  lock(key: string, ttlMs: number, waitMs: number): Promise<Release>;
  /** De-duplication: true the first time `id` is seen within `ttlMs`, false after. */
  markSeen(id: string, ttlMs: number): Promise<boolean>;
  /** Idempotency: keeps a JSON value (e.g. the replies to a `clientMessageId`) for `ttlMs`. */
  remember(id: string, value: unknown, ttlMs: number, owner?: Owner): Promise<void>;
  /** The value remembered under `id`, or undefined. */
  recall(id: string): Promise<unknown>;
}
