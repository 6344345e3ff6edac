/**
 * The conversations port, with its two siblings written in the same write as a turn: the
 * transcript (the web widget's history) and the outbox (a turn's replies until the platform
 * took them). They are three interfaces but one port, `Store.conversations`, `.transcripts` and
 * `.outbox` on one backend, because a turn is stored with its transcript entries and its replies
 * in one transaction (one Redis script) or not at all: split across ports, that atomicity would
 * need a two-phase write. Erasing a user (`deleteByUser`) takes all three with it.
 */
import type { Channel } from './channels.js';
import type { Envelope, TranscriptEntry } from './envelope.js';

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
   * `outbox` (the turn's replies, for a channel that delivers them at least once) rides in that
   * same write: a turn is stored with its replies or not at all.
   */
  put(
    envelope: Envelope,
    expectedRevision: number,
    transcript?: TranscriptWrite,
    outbox?: OutboxWrite,
  ): Promise<boolean>;
  /** Removes one conversation and its transcript; true when a conversation was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * « Oublier mes données »: removes every conversation of this user, their transcripts, and
   * everything stored with them as owner (the coordination port's idempotency memos, the
   * outbox). Returns the number of conversations removed.
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

/**
 * A turn's replies, stored with the turn (see {@link ConversationStore.put}) until the platform
 * has accepted them: at-least-once delivery for Telegram and Slack. Its id is the platform's
 * delivery id (a Telegram `update_id`, a Slack request), scoped by bot or team, so that a
 * redelivery finds the stored turn instead of running it again.
 */
export interface OutboxWrite {
  readonly id: string;
  /** The replies (JSON data; validated again when read back). */
  readonly replies: unknown;
  /** Where the channel sends them (e.g. a Slack `response_url` and user id), as JSON data. */
  readonly target?: unknown;
  /** The writer is delivering them: nobody else claims the entry for this long. */
  readonly leaseMs: number;
  /** The entry (and, once delivered, its id alone, as a de-duplication record) lives this long. */
  readonly ttlMs: number;
}

/** A stored outbox entry, as {@link OutboxStore.claim} hands it over. */
export interface OutboxEntry {
  readonly id: string;
  /** The conversation key of the turn. */
  readonly key: string;
  readonly channel: Channel;
  readonly userRef: string;
  /** Untrusted: validate before use. */
  readonly replies: unknown;
  readonly target?: unknown;
  /** Platform messages already accepted (the rendered replies are sent in order). */
  readonly sent: number;
  /** Delivery attempts so far, this claim included. */
  readonly attempts: number;
  readonly createdAt: number;
}

/** The result of a claim. */
export type OutboxClaim =
  /** No such entry: the turn was never stored (run it). */
  | { readonly state: 'absent' }
  /** Everything was delivered (or given up): nothing to do. */
  | { readonly state: 'done' }
  /** Someone is delivering it right now (a lease runs). */
  | { readonly state: 'busy' }
  /** The caller now delivers it, for `leaseMs`. */
  | { readonly state: 'claimed'; readonly entry: OutboxEntry };

/** What happens to an entry after a delivery attempt. */
export type OutboxSettle =
  /** All delivered (or given up): the replies are dropped, the id stays as a de-dup record. */
  | { readonly done: true }
  /** Some messages accepted, more to come: the lease goes on. */
  | { readonly done: false; readonly retryAt?: undefined }
  /** The attempt failed: the lease ends, the sweep tries again from `retryAt` (epoch ms). */
  | { readonly done: false; readonly retryAt: number };

/** The outbox (written by {@link ConversationStore.put}); erased with its user. */
export interface OutboxStore {
  /** Takes an entry for delivery when it is not delivered and nobody holds its lease. */
  claim(id: string, leaseMs: number): Promise<OutboxClaim>;
  /** Records how many messages were accepted, and what comes next. */
  settle(id: string, sent: number, next: OutboxSettle): Promise<void>;
  /**
   * Ids of `channel` not delivered whose lease and retry time have passed at the store's clock
   * (what a dead instance left behind), at most `limit`, for the periodic sweep.
   */
  due(channel: Channel, limit: number): Promise<string[]>;
}
