/**
 * The storage port: the composition of narrow ports, so that each consumer depends on the one it
 * uses — the runtime on conversations and coordination, the handover on coordination, the plan
 * page on conversations, the observatory on records. Small and async so that the embedded stores
 * (memory, SQLite) and a Redis store with cross-instance locks fit behind it without the runtime
 * knowing which one runs.
 *
 * - conversations.ts — conversations, their transcripts and the outbox (one write per turn);
 * - records.ts — the merchants' observatory records;
 * - coordination.ts — locks, de-duplication and idempotency memos;
 * - this file — `Store`, the errors every backend throws, and re-exports of the above.
 */
import type { ConversationStore, OutboxStore, TranscriptStore } from './conversations.js';
import type { CoordinationStore } from './coordination.js';
import type { RecordStore } from './records.js';

export type { Channel } from './channels.js';
export type {
  ConversationStore,
  OutboxClaim,
  OutboxEntry,
  OutboxSettle,
  OutboxStore,
  OutboxWrite,
  StoredConversation,
  TranscriptAppend,
  TranscriptStore,
  TranscriptWrite,
} from './conversations.js';
export type { CoordinationStore, Owner, Release } from './coordination.js';
export type { RecordStore } from './records.js';

/** The whole storage: every port on one backend, and its lifecycle. */
export interface Store {
  /** For logs and /readyz: `memory`, `sqlite`, `redis`… */
  readonly kind: string;
  readonly conversations: ConversationStore;
  /** The conversations' transcripts (only for channels that show them again). */
  readonly transcripts: TranscriptStore;
  /** Replies stored with their turn until delivered (Telegram, Slack). */
  readonly outbox: OutboxStore;
  /** The merchants' observatory records (SPEC §8): anonymous, keyed by a salted identity hash. */
  readonly records: RecordStore;
  /** Locks, de-duplication and idempotency memos. */
  readonly coordination: CoordinationStore;
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

/**
 * The store cannot be reached right now (Redis down or too slow): the operation was not done.
 * Channels answer « try again shortly » (web 503, a Telegram non-2xx), never as if it worked.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store-unavailable';
  constructor(options?: { cause?: unknown }) {
    super('store unavailable', options);
    this.name = 'StoreUnavailableError';
  }
}

/** Converts a `Date | number` to epoch milliseconds. */
export function toMillis(now: Date | number): number {
  return typeof now === 'number' ? now : now.getTime();
}
