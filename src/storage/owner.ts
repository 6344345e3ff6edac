/**
 * One owner per SQLite data directory (issue 20). The SQLite store keeps what it wrote in memory
 * and trusts it; a second process on the same file would serve stale, or erased, conversations.
 * So a process owns DATA_DIR before it opens the store: an exclusive lock on `owner.lock` (a
 * SQLite file in exclusive locking mode, so the lock is the operating system's: it goes with the
 * process, even after `kill -9`), and `owner.json` saying who holds it, for the operator.
 *
 * During a rolling deploy the new process waits for the old one to let go (`waitToOwn`), bounded;
 * past the wait it fails with a message naming the directory and the other process.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Lock file and owner note inside DATA_DIR. */
export const OWNER_LOCK_FILE = 'owner.lock';
export const OWNER_NOTE_FILE = 'owner.json';

/** Who holds a data directory, as its note says (may be missing or stale). */
export interface OwnerNote {
  readonly pid: number;
  readonly host: string;
  /** ISO time the owner took the directory. */
  readonly since: string;
}

/** A held data directory; `release` lets the next process in (idempotent). */
export interface DirOwnership {
  readonly dir: string;
  release(): void;
}

/** The directory stayed owned by another process for the whole wait. */
export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(
    readonly dir: string,
    readonly holder: OwnerNote | undefined,
    waitedMs: number,
  ) {
    super(
      `DATA_DIR ${dir} is used by another process (${describeOwner(holder)}) and was not released ` +
        `within ${Math.round(waitedMs / 1000)} s. Stop that process first, or give this instance ` +
        'its own DATA_DIR (several instances share a Redis store instead: REDIS_URL).',
    );
    this.name = 'DataDirBusyError';
  }
}

/** « pid 42 on host web-1, since 2026-12-03T17:00:00.000Z », or that it is unknown. */
export function describeOwner(note: OwnerNote | undefined): string {
  return note ? `pid ${note.pid} on host ${note.host}, since ${note.since}` : 'unknown process';
}

/** The owner note of `dir`, if readable. */
export function readOwnerNote(dir: string): OwnerNote | undefined {
  try {
    const note = JSON.parse(readFileSync(join(dir, OWNER_NOTE_FILE), 'utf8')) as Partial<OwnerNote>;
    if (typeof note.pid !== 'number' || typeof note.host !== 'string') return undefined;
    return { pid: note.pid, host: note.host, since: String(note.since ?? '') };
  } catch {
    return undefined;
  }
}

/** Takes `dir` when nobody holds it; undefined when another process does. */
export function tryOwn(dir: string): DirOwnership | undefined {
  const db = new Database(join(dir, OWNER_LOCK_FILE), { timeout: 0 });
  try {
    // Exclusive locking mode: the lock taken by this write is kept until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(
      `BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER);
       DELETE FROM owner; INSERT INTO owner VALUES (${process.pid}); COMMIT`,
    );
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  const note: OwnerNote = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeFileSync(join(dir, OWNER_NOTE_FILE), `${JSON.stringify(note)}\n`);
  let held = true;
  return {
    dir,
    release() {
      if (!held) return;
      held = false;
      const current = readOwnerNote(dir);
      if (current?.pid === note.pid && current.host === note.host) {
        rmSync(join(dir, OWNER_NOTE_FILE), { force: true });
      }
      db.close();
    },
  };
}

/** Options of {@link waitToOwn}. */
export interface WaitToOwnOptions {
  /** Longest wait, in ms. */
  readonly timeoutMs: number;
  /** Pause between two tries, in ms. Default 500. */
  readonly pollMs?: number;
  /** Called once when the wait starts, then every `reportEveryMs` (default 10 s), for logs. */
  readonly onWait?: (holder: OwnerNote | undefined, waitedMs: number) => void;
  readonly reportEveryMs?: number;
  /** Gives up early (the process is stopping): rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

/** Takes `dir`, waiting (bounded) for its current owner to let go; DataDirBusyError after. */
export async function waitToOwn(dir: string, options: WaitToOwnOptions): Promise<DirOwnership> {
  const started = Date.now();
  const pollMs = Math.max(10, options.pollMs ?? 500);
  const reportEveryMs = options.reportEveryMs ?? 10_000;
  let reported = Number.NEGATIVE_INFINITY;
  for (;;) {
    options.signal?.throwIfAborted();
    const owned = tryOwn(dir);
    if (owned) return owned;
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw new DataDirBusyError(dir, readOwnerNote(dir), waited);
    if (waited - reported >= reportEveryMs) {
      reported = waited;
      options.onWait?.(readOwnerNote(dir), waited);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(pollMs, options.timeoutMs - waited)),
    );
  }
}
