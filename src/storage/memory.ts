/**
 * The in-memory store: the default for tests and the terminal. Values are kept as JSON text so
 * that callers never share objects with the store, exactly as with a real database.
 */
import type { Channel } from './channels.js';
import type {
  ConversationStore,
  OutboxClaim,
  OutboxStore,
  StoredConversation,
  TranscriptStore,
} from './conversations.js';
import type { Owner } from './coordination.js';
import {
  type Envelope,
  envelopeText,
  MAX_TRANSCRIPT_ENTRIES,
  type TranscriptEntry,
} from './envelope.js';
import { createLockManager } from './locks.js';
import { type ObservatoryRecord, parseRecord, type RecordStore, townKey } from './records.js';
import { type Store, StoreClosedError, toMillis } from './types.js';

interface MemoryOutbox {
  readonly id: string;
  readonly key: string;
  readonly channel: Channel;
  readonly userRef: string;
  replies?: string;
  readonly target?: string;
  sent: number;
  attempts: number;
  readonly createdAt: number;
  lease: number;
  retry: number;
  done: boolean;
  readonly expiresAt: number;
}

interface Row {
  readonly revision: number;
  readonly json: string;
  readonly channel: Channel;
  readonly userRef: string;
  readonly expiresAt: number;
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock for expiry, epoch ms; `Date.now` by default. */
  readonly now?: () => number;
}

/** Creates an in-memory store (one process, lost at exit). */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const rows = new Map<string, Row>();
  /** Transcript entries as JSON text, oldest first, by conversation key. */
  const transcripts = new Map<string, { json: string[]; expiresAt: number }>();
  const seen = new Map<string, number>();
  const remembered = new Map<string, { json: string; expiresAt: number; owner?: Owner }>();
  /** Outbox entries by id, replies as JSON text (dropped once delivered). */
  const outboxes = new Map<string, MemoryOutbox>();
  /** Observatory records as JSON, by `identity|townKey` (one per merchant and town). */
  const observations = new Map<string, string>();
  const locks = createLockManager();
  let closed = false;
  let writes = 0;

  function open(): void {
    if (closed) throw new StoreClosedError();
  }

  function live(key: string): Row | undefined {
    const row = rows.get(key);
    return row && row.expiresAt > now() ? row : undefined;
  }

  function appendEntries(
    key: string,
    entries: readonly TranscriptEntry[],
    expiresAt: number,
    replace: boolean | undefined,
  ): void {
    let t = replace ? undefined : transcripts.get(key);
    if (!t || t.expiresAt <= now()) t = { json: [], expiresAt };
    for (const entry of entries) t.json.push(JSON.stringify(entry));
    const extra = t.json.length - MAX_TRANSCRIPT_ENTRIES;
    if (extra > 0) t.json.splice(0, extra);
    t.expiresAt = expiresAt;
    transcripts.set(key, t);
  }

  function sweep(at: number): number {
    let removed = 0;
    for (const [key, row] of rows) {
      if (row.expiresAt <= at) {
        rows.delete(key);
        removed++;
      }
    }
    for (const [key, t] of transcripts)
      if (t.expiresAt <= at || !rows.has(key)) transcripts.delete(key);
    for (const [id, expiresAt] of seen) if (expiresAt <= at) seen.delete(id);
    for (const [id, item] of remembered) if (item.expiresAt <= at) remembered.delete(id);
    for (const [id, item] of outboxes) if (item.expiresAt <= at) outboxes.delete(id);
    return removed;
  }

  /** Keeps the maps bounded without a timer: an occasional sweep on writes. */
  function maybeSweep(): void {
    writes++;
    if (writes % 1000 === 0) sweep(now());
  }

  const conversations: ConversationStore = {
    async get(key) {
      open();
      const row = live(key);
      if (!row) return undefined;
      return {
        key,
        revision: row.revision,
        data: envelopeText.decode(row.json),
      } satisfies StoredConversation;
    },
    async put(envelope: Envelope, expectedRevision, transcript, outbox) {
      open();
      if (envelope.revision <= expectedRevision) {
        throw new RangeError('envelope.revision must be greater than expectedRevision');
      }
      const current = live(envelope.key);
      if ((current?.revision ?? 0) !== expectedRevision) return false;
      // A new conversation (or one over an expired record) starts with no transcript.
      if (expectedRevision === 0) transcripts.delete(envelope.key);
      rows.set(envelope.key, {
        revision: envelope.revision,
        json: envelopeText.encode(envelope),
        channel: envelope.channel,
        userRef: envelope.userRef,
        expiresAt: envelope.expiresAt,
      });
      if (transcript)
        appendEntries(envelope.key, transcript.entries, envelope.expiresAt, transcript.replace);
      if (outbox) {
        const t = now();
        outboxes.set(outbox.id, {
          id: outbox.id,
          key: envelope.key,
          channel: envelope.channel,
          userRef: envelope.userRef,
          replies: JSON.stringify(outbox.replies),
          ...(outbox.target !== undefined ? { target: JSON.stringify(outbox.target) } : {}),
          sent: 0,
          attempts: 1,
          createdAt: t,
          lease: t + outbox.leaseMs,
          retry: 0,
          done: false,
          expiresAt: t + outbox.ttlMs,
        });
      }
      maybeSweep();
      return true;
    },
    async delete(key) {
      open();
      transcripts.delete(key);
      for (const [id, item] of outboxes) if (item.key === key) outboxes.delete(id);
      return rows.delete(key);
    },
    async deleteByUser(channel, userRef) {
      open();
      let removed = 0;
      for (const [key, row] of rows) {
        if (row.channel === channel && row.userRef === userRef) {
          rows.delete(key);
          transcripts.delete(key);
          removed++;
        }
      }
      for (const [id, item] of remembered) {
        if (item.owner?.channel === channel && item.owner.userRef === userRef)
          remembered.delete(id);
      }
      for (const [id, item] of outboxes) {
        if (item.channel === channel && item.userRef === userRef) outboxes.delete(id);
      }
      return removed;
    },
    async purgeExpired(at) {
      open();
      return sweep(toMillis(at));
    },
  };

  const transcriptStore: TranscriptStore = {
    async append(key, entries, { expiresAt, replace }) {
      open();
      let t = replace ? undefined : transcripts.get(key);
      if (!t || t.expiresAt <= now()) t = { json: [], expiresAt };
      for (const entry of entries) t.json.push(JSON.stringify(entry));
      if (t.json.length > MAX_TRANSCRIPT_ENTRIES)
        t.json.splice(0, t.json.length - MAX_TRANSCRIPT_ENTRIES);
      t.expiresAt = expiresAt;
      transcripts.set(key, t);
    },
    async read(key) {
      open();
      const t = transcripts.get(key);
      if (!t || t.expiresAt <= now() || !live(key)) return [];
      return t.json.map((json) => JSON.parse(json) as unknown);
    },
  };

  const outbox: OutboxStore = {
    async claim(id, leaseMs): Promise<OutboxClaim> {
      open();
      const t = now();
      const item = outboxes.get(id);
      if (!item || item.expiresAt <= t) return { state: 'absent' };
      if (item.done) return { state: 'done' };
      if (item.lease > t) return { state: 'busy' };
      item.lease = t + leaseMs;
      item.attempts += 1;
      return {
        state: 'claimed',
        entry: {
          id,
          key: item.key,
          channel: item.channel,
          userRef: item.userRef,
          replies: JSON.parse(item.replies ?? '[]') as unknown,
          ...(item.target !== undefined ? { target: JSON.parse(item.target) as unknown } : {}),
          sent: item.sent,
          attempts: item.attempts,
          createdAt: item.createdAt,
        },
      };
    },
    async settle(id, sent, next) {
      open();
      const item = outboxes.get(id);
      if (!item) return;
      item.sent = Math.max(item.sent, sent);
      if (next.done) {
        item.done = true;
        item.replies = undefined;
        item.lease = 0;
      } else if (next.retryAt !== undefined) {
        item.lease = 0;
        item.retry = next.retryAt;
      }
    },
    async due(channel, limit) {
      open();
      const t = now();
      const out: MemoryOutbox[] = [];
      for (const item of outboxes.values()) {
        const waiting = !item.done && item.expiresAt > t && item.lease <= t && item.retry <= t;
        if (waiting && item.channel === channel) out.push(item);
      }
      out.sort((a, b) => Math.max(a.lease, a.retry) - Math.max(b.lease, b.retry));
      return out.slice(0, Math.max(0, limit)).map((item) => item.id);
    },
  };

  const records: RecordStore = {
    async put(record: ObservatoryRecord) {
      open();
      observations.set(`${record.identity}|${record.townKey}`, JSON.stringify(record));
    },
    async deleteByIdentity(identity) {
      open();
      let removed = 0;
      for (const id of [...observations.keys()]) {
        if (id.startsWith(`${identity}|`)) {
          observations.delete(id);
          removed++;
        }
      }
      return removed;
    },
    async listByTown(town) {
      open();
      const key = townKey(town);
      const out: ObservatoryRecord[] = [];
      for (const [id, json] of observations) {
        if (!id.endsWith(`|${key}`)) continue;
        const record = parseRecord(json);
        if (record && record.townKey === key) out.push(record);
      }
      return out;
    },
    async purgeBefore(month) {
      open();
      let removed = 0;
      for (const [id, json] of [...observations]) {
        const record = parseRecord(json);
        if (!record || record.month < month) {
          observations.delete(id);
          removed++;
        }
      }
      return removed;
    },
  };

  return {
    kind: 'memory',
    conversations,
    transcripts: transcriptStore,
    records,
    outbox,
    coordination: {
      // Rejects with StoreClosedError once the store closed (it closes the manager).
      lock: locks.lock,
      async markSeen(id, ttlMs) {
        open();
        const t = now();
        const until = seen.get(id);
        if (until !== undefined && until > t) return false;
        seen.set(id, t + ttlMs);
        maybeSweep();
        return true;
      },
      async remember(id, value, ttlMs, owner) {
        open();
        remembered.set(id, {
          json: JSON.stringify(value),
          expiresAt: now() + ttlMs,
          ...(owner ? { owner } : {}),
        });
        maybeSweep();
      },
      async recall(id) {
        open();
        const item = remembered.get(id);
        if (!item || item.expiresAt <= now()) return undefined;
        return JSON.parse(item.json) as unknown;
      },
    },
    async ready() {
      return !closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      locks.close();
      rows.clear();
      transcripts.clear();
      seen.clear();
      remembered.clear();
      outboxes.clear();
      observations.clear();
    },
  };
}
