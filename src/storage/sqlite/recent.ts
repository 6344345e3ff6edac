/**
 * The envelopes a SQLite store wrote last, kept as `put` was given them (a frozen shallow copy;
 * the snapshot inside is shared, and no caller changes it): one process owns the file, so what it
 * wrote is what the file holds, and the next turn of a conversation reads it without a query or a
 * JSON parse (`trusted`). Bounded: oldest written first out; a delete drops its key, an erase or a
 * purge (rare) drops everything.
 */
import type { Envelope } from '../envelope.js';

/** What the cache holds for a key: the envelope, and its transcript's last seq when known. */
export interface RecentEnvelope {
  readonly envelope: Envelope;
  readonly seq?: number;
}

/** The cache of one store. */
export interface RecentEnvelopes {
  get(key: string): RecentEnvelope | undefined;
  /** Keeps what was just committed for `envelope.key` (nothing when the cache is off). */
  keep(envelope: Envelope, seq: number | undefined): void;
  /** The transcript of `key` changed outside a put: its last seq is not known any more. */
  forgetSeq(key: string): void;
  delete(key: string): void;
  clear(): void;
}

/** Creates a cache of at most `max` envelopes (0 = none). */
export function createRecentEnvelopes(max: number): RecentEnvelopes {
  const recentMax = Math.max(0, Math.trunc(max));
  /** Per key: the envelope, and the last transcript seq when this store wrote it (else unknown). */
  const recent = new Map<string, RecentEnvelope>();
  return {
    get: (key) => recent.get(key),
    keep(envelope, seq) {
      if (recentMax === 0) return;
      recent.delete(envelope.key);
      recent.set(envelope.key, {
        envelope: Object.freeze({ ...envelope }),
        ...(seq !== undefined ? { seq } : {}),
      });
      if (recent.size > recentMax) {
        const oldest = recent.keys().next();
        if (!oldest.done) recent.delete(oldest.value);
      }
    },
    forgetSeq(key) {
      const kept = recent.get(key);
      if (kept?.seq !== undefined) recent.set(key, { envelope: kept.envelope });
    },
    delete(key) {
      recent.delete(key);
    },
    clear() {
      recent.clear();
    },
  };
}
