/**
 * WAL checkpoints off the event loop. With synchronous = NORMAL a commit does not fsync, but a
 * checkpoint does (twice): inline, one turn in a few hundred would wait 5–150 ms for the disk.
 * Once the store is busy (`after` committed writes), a worker thread checkpoints instead; if it
 * fails, SQLite's own inline checkpoints come back.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Pages SQLite checkpoints inline by itself (its default), while no worker does it. */
const INLINE_CHECKPOINT_PAGES = 1000;
/**
 * With the worker: the WAL only restarts after a checkpoint that caught up with the writer, which
 * the worker's PASSIVE checkpoints never do while writes keep coming. Past this many pages
 * (16 MB) the writer checkpoints inline once — cheap, most frames are copied already — so the WAL
 * stays bounded under sustained writes.
 */
const BACKSTOP_CHECKPOINT_PAGES = 4000;

/**
 * The checkpointer: its own connection to the file, a PASSIVE checkpoint (never blocks the
 * writer) every 100 ms. CommonJS, run with `eval`; the driver's path comes in `workerData`.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, 100);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/** Options of {@link createCheckpointer}. */
export interface CheckpointerOptions {
  readonly db: Database.Database;
  readonly file: string;
  /** Committed writes after which the worker starts; `false` keeps checkpoints inline. */
  readonly after: number | false;
  /** True once the store is closed (the database handle must not be touched any more). */
  readonly closed: () => boolean;
}

/** The store's side of the checkpointer. */
export interface Checkpointer {
  /** Counts a committed write; starts the worker once the store is busy. */
  wrote(): void;
  /** Stops the worker (after a last checkpoint) and waits for it, at most 2 s. */
  close(): Promise<void>;
}

/** Creates the checkpointer of one store (no worker until `after` writes). */
export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { db, file, after } = options;
  let writes = 0;
  let started = false;
  let checkpointer: Worker | undefined;
  let checkpointerExited: Promise<void> | undefined;
  function startCheckpointer(): void {
    try {
      const worker = new Worker(CHECKPOINTER, {
        eval: true,
        workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
      worker.unref();
      checkpointerExited = new Promise<void>((resolve) => {
        worker.once('exit', () => {
          if (checkpointer === worker) checkpointer = undefined;
          if (!options.closed()) db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
          resolve();
        });
      });
      worker.on('error', () => undefined);
      checkpointer = worker;
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    } catch {
      checkpointer = undefined;
    }
  }
  return {
    wrote() {
      if (started || after === false || file === ':memory:') return;
      if (++writes < after) return;
      started = true;
      startCheckpointer();
    },
    async close() {
      if (!checkpointer) return;
      const worker = checkpointer;
      worker.postMessage('close');
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await checkpointerExited;
      clearTimeout(timer);
    },
  };
}
