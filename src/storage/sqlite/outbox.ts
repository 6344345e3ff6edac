/**
 * The SQLite store's outbox delivery side (issue 20): claiming an entry for delivery, settling
 * it, and listing what is due for the sweep. Entries are written with their turn (sqlite.ts,
 * `applyPut`) and erased with their conversation or user there; settling rides in the group
 * commit like the turns around it.
 */
import type Database from 'better-sqlite3';
import type { OutboxClaim, OutboxStore } from '../conversations.js';
import type { Envelope } from '../envelope.js';
import type { GroupCommit } from './group-commit.js';
import type { SqliteGate } from './records.js';
import { type OutboxRow, parseOr } from './rows.js';

/** What the outbox part shares with the rest of the store. */
export interface SqliteOutboxDeps extends SqliteGate {
  readonly commits: GroupCommit;
  readonly now: () => number;
}

/** The outbox port over one store's connection. */
export function createSqliteOutbox(db: Database.Database, deps: SqliteOutboxDeps): OutboxStore {
  const { open, writing, commits, now } = deps;
  const { enqueue, flushFor } = commits;
  const q = {
    getOutbox: db.prepare<[string, number], OutboxRow>(
      `SELECT id, key, channel, user_ref, replies, target, sent, attempts, created_at,
         lease_until, done FROM outbox WHERE id = ? AND expires_at > ?`,
    ),
    leaseOutbox: db.prepare<[number, string]>(
      'UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?',
    ),
    settleDone: db.prepare<[number, string]>(
      `UPDATE outbox SET sent = max(sent, ?), done = 1, replies = NULL, lease_until = 0
       WHERE id = ?`,
    ),
    settleProgress: db.prepare<[number, string]>(
      'UPDATE outbox SET sent = max(sent, ?) WHERE id = ?',
    ),
    settleRetry: db.prepare<[number, number, string]>(
      'UPDATE outbox SET sent = max(sent, ?), lease_until = 0, retry_at = ? WHERE id = ?',
    ),
    dueOutbox: db
      .prepare<[string, number, number, number, number], string>(
        `SELECT id FROM outbox WHERE channel = ? AND done = 0 AND lease_until <= ?
           AND retry_at <= ? AND expires_at > ? ORDER BY max(lease_until, retry_at) LIMIT ?`,
      )
      .pluck(),
  };
  /** Claims an outbox entry (see OutboxStore.claim) in one transaction. */
  const claimOutbox = db.transaction((id: string, leaseMs: number): OutboxClaim => {
    const t = now();
    const row = q.getOutbox.get(id, t);
    if (!row) return { state: 'absent' };
    if (row.done === 1) return { state: 'done' };
    if (row.lease_until > t) return { state: 'busy' };
    q.leaseOutbox.run(t + leaseMs, id);
    return {
      state: 'claimed',
      entry: {
        id,
        key: row.key,
        channel: row.channel as Envelope['channel'],
        userRef: row.user_ref,
        replies: parseOr(row.replies, []),
        ...(row.target !== null ? { target: parseOr(row.target, undefined) } : {}),
        sent: row.sent,
        attempts: row.attempts + 1,
        createdAt: row.created_at,
      },
    };
  });

  return {
    async claim(id, leaseMs) {
      open();
      flushFor(`o:${id}`);
      return claimOutbox(id, leaseMs);
    },
    async settle(id, sent, next) {
      open();
      // Rides in the group commit of the turns around it, like `remember`.
      await enqueue(`o:${id}`, () => {
        if (next.done) q.settleDone.run(sent, id);
        else if (next.retryAt !== undefined) q.settleRetry.run(sent, next.retryAt, id);
        else q.settleProgress.run(sent, id);
      });
    },
    async due(channel, limit) {
      writing();
      const t = now();
      return q.dueOutbox.all(channel, t, t, t, Math.max(0, Math.trunc(limit)));
    },
  };
}
