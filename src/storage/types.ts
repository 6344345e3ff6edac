/**
 * The storage port. Small and async so that the embedded stores (memory, SQLite) and a Redis store
 * with cross-instance locks fit behind it without the runtime knowing which one runs.
 */
import type { RecordStore } from '../observatory/records.js';
import type { Channel } from '../runtime/types.js';
import type { Envelope, TranscriptEntry } from './envelope.js';

/** Gives a lock back. Calling it twice, or after the lock expired, does nothing. */
export type Release = () => Promise<void>;

/** What a store holds for a key: its revision and the raw, still untrusted, data. */
export interface StoredConversation {
  readonly key: string;
  /** The revision the store holds, to compare-and-set against even when `data` is corrupt. */
  readonly revision: number;
  /** Decoded data (or the raw text when it is not even JSON): validate before use. */
  readonly data: unknown;
  /**
   * Set only when `data` is the very envelope this process passed to `put` (kept in memory by
   * the store since, frozen, never read back from disk or from another process): it was valid
   * when it was written, so the runtime need not check it again. Anything read from the
   * database, a file or a server never carries it.
   */
  readonly trusted?: true;
}

/** Whom a stored item belongs to, so that erase-by-user finds it. */
export interface Owner {
  readonly channel: Channel;
  readonly userRef: string;
}

/** Conversations by key, with compare-and-set on a revision counter. */
export interface ConversationStore {
  /** The live (not expired) record of `key`, or undefined. */
  get(key: string): Promise<StoredConversation | undefined>;
  /**
   * Writes `envelope` if the stored revision is `expectedRevision` (0 = absent or expired).
   * Returns false on conflict. `envelope.revision` must be greater than `expectedRevision`.
   * A new conversation (`expectedRevision` 0) starts with an empty transcript; `transcript`
   * entries are appended in the same write (one transaction, one Redis script), as
   * {@link TranscriptStore.append} would with the envelope's expiry — a turn's one write.
   */
  put(envelope: Envelope, expectedRevision: number, transcript?: TranscriptWrite): Promise<boolean>;
  /** Removes one conversation and its transcript; true when a conversation was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * « Oublier mes données »: removes every conversation of this user, their transcripts, and
   * everything stored with them as owner (idempotency entries). Returns the number of
   * conversations removed.
   */
  deleteByUser(channel: Channel, userRef: string): Promise<number>;
  /**
   * Physically removes what expired at `now` (transcripts included); returns the number of
   * conversations removed.
   */
  purgeExpired(now: Date | number): Promise<number>;
}

/** Transcript entries written together with a conversation by {@link ConversationStore.put}. */
export interface TranscriptWrite {
  readonly entries: readonly TranscriptEntry[];
  /** Drops what the key held first (a conversation whose record was discarded). */
  readonly replace?: boolean;
}

/** Options of {@link TranscriptStore.append}. */
export interface TranscriptAppend {
  /** The conversation's expiry (epoch ms): its transcript never outlives it. */
  readonly expiresAt: number;
  /** Drops what the key held first (a new conversation, or one whose record was discarded). */
  readonly replace?: boolean;
}

/**
 * The transcripts the web widget restores after a reload, kept beside the conversations so that
 * a turn never reads, validates or rewrites the whole history: a turn appends its entries, only
 * `GET /api/web/conversations/:id` reads them. Bounded to the last
 * `MAX_TRANSCRIPT_ENTRIES` (100) entries per key; erased with the conversation (`delete`,
 * `deleteByUser`, expiry, `purgeExpired`).
 */
export interface TranscriptStore {
  /** Appends entries to `key`'s transcript and keeps the last `MAX_TRANSCRIPT_ENTRIES` (100). */
  append(
    key: string,
    entries: readonly TranscriptEntry[],
    options: TranscriptAppend,
  ): Promise<void>;
  /**
   * The entries of `key`, oldest first, as decoded but untrusted data (validate before use);
   * empty when the key has no live conversation.
   */
  read(key: string): Promise<readonly unknown[]>;
}

/** The whole port. */
export interface Store {
  /** For logs and /readyz: `memory`, `sqlite`, `redis`… */
  readonly kind: string;
  readonly conversations: ConversationStore;
  /** The conversations' transcripts (only for channels that show them again). */
  readonly transcripts: TranscriptStore;
  /** The merchants' observatory records (SPEC §8): anonymous, keyed by a salted identity hash. */
  readonly records: RecordStore;
  /**
   * Exclusive lock on `key`, held at most `ttlMs` (a crashed holder does not block forever),
   * waiting at most `waitMs` in a fair (first come, first served) queue. Rejects with
   * {@link LockTimeoutError} when the wait runs out.
   */
  lock(key: string, ttlMs: number, waitMs: number): Promise<Release>;
  /** De-duplication: true the first time `id` is seen within `ttlMs`, false after. */
  markSeen(id: string, ttlMs: number): Promise<boolean>;
  /** Idempotency: keeps a JSON value (e.g. the replies to a `clientMessageId`) for `ttlMs`. */
  remember(id: string, value: unknown, ttlMs: number, owner?: Owner): Promise<void>;
  /** The value remembered under `id`, or undefined. */
  recall(id: string): Promise<unknown>;
  /** True when the store can serve requests (for /readyz). */
  ready(): Promise<boolean>;
  /** Releases resources; later calls reject with {@link StoreClosedError}. Idempotent. */
  close(): Promise<void>;
}

/** A lock could not be acquired in time. */
export class LockTimeoutError extends Error {
  readonly code = 'lock-timeout';
  constructor() {
    super('lock wait timed out');
    this.name = 'LockTimeoutError';
  }
}

/** The store was closed. */
export class StoreClosedError extends Error {
  readonly code = 'store-closed';
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}

/** Converts a `Date | number` to epoch milliseconds. */
export function toMillis(now: Date | number): number {
  return typeof now === 'number' ? now : now.getTime();
}
