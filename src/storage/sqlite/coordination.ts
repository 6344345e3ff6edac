/**
 * The SQLite store's coordination port: in-process locks (one process owns the file), the `seen`
 * table for de-duplication and the `remembered` table for idempotency memos, whose writes ride in
 * the same group commit as the turns around them.
 */
import type Database from 'better-sqlite3';
import type { CoordinationStore } from '../coordination.js';
import type { LockManager } from '../locks.js';
import type { GroupCommit } from './group-commit.js';
import type { SqliteGate } from './records.js';

/** What the coordination part shares with the rest of the store. */
export interface SqliteCoordinationDeps extends SqliteGate {
  readonly commits: GroupCommit;
  readonly locks: LockManager;
  readonly now: () => number;
}

/** The coordination port over one store's connection. */
export function createSqliteCoordination(
  db: Database.Database,
  deps: SqliteCoordinationDeps,
): CoordinationStore {
  const { open, writing, commits, locks, now } = deps;
  const q = {
    markSeen: db.prepare(
      `INSERT INTO seen (id, expires_at) VALUES (@id, @until)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
       WHERE seen.expires_at <= @now`,
    ),
    remember: db.prepare(
      `INSERT OR REPLACE INTO remembered (id, value, channel, user_ref, expires_at)
       VALUES (@id, @value, @channel, @userRef, @until)`,
    ),
    recall: db.prepare<[string, number], { value: string }>(
      'SELECT value FROM remembered WHERE id = ? AND expires_at > ?',
    ),
  };
  return {
    // Rejects with StoreClosedError once the store closed (it closes the manager).
    lock: locks.lock,
    async markSeen(id, ttlMs) {
      writing();
      const t = now();
      return q.markSeen.run({ id, until: t + ttlMs, now: t }).changes === 1;
    },
    async remember(id, value, ttlMs, owner) {
      open();
      // A turn's idempotency record rides in the same group commit as the turns around it.
      const params = {
        id,
        value: JSON.stringify(value),
        channel: owner?.channel ?? null,
        userRef: owner?.userRef ?? null,
        until: now() + ttlMs,
      };
      await commits.enqueue(`r:${id}`, () => q.remember.run(params));
    },
    async recall(id) {
      open();
      commits.flushFor(`r:${id}`);
      const row = q.recall.get(id, now());
      if (!row) return undefined;
      try {
        return JSON.parse(row.value) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}
