/**
 * One owner per SQLite DATA_DIR (issue 20): a second process on the same directory does not
 * serve — it listens with /readyz 503 and waits, logged, for the first one to stop (the rolling
 * deploy onto one volume), then serves; if the first never stops, it exits with a message naming
 * the directory and the other process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, readOwnerNote, tryOwn, waitToOwn } from '../../src/storage/owner.js';
import { freePort } from '../free-port.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ccv-datadir-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `npm start` on `dir` and `port`; its stdout lines (JSON logs) are collected. */
function startServer(dir: string, port: number): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR_WAIT_SECONDS: '60',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
  child.stderr?.resume();
  return { child, lines };
}

/** The status of GET `path`, or 0 while nothing listens. */
async function status(port: number, path: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls until `check` holds, every 100 ms, for at most `ms`. */
async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('the owner lock of a data directory', () => {
  it('is held by one at a time; the wait is bounded and names the other process', async () => {
    const dir = tempDir();
    const first = tryOwn(dir);
    expect(first).toBeDefined();
    expect(tryOwn(dir)).toBeUndefined();
    expect(readOwnerNote(dir)?.pid).toBe(process.pid);
    const waits: number[] = [];
    const error = await waitToOwn(dir, {
      timeoutMs: 300,
      pollMs: 50,
      onWait: (_holder, waited) => waits.push(waited),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirBusyError);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect(waits.length).toBeGreaterThanOrEqual(1);

    // Released: the next one takes it while waiting.
    const next = waitToOwn(dir, { timeoutMs: 5000, pollMs: 20 });
    first?.release();
    const second = await next;
    expect(second.dir).toBe(dir);
    second.release();
  });
});

describe('two servers on one DATA_DIR (rolling deploy onto one volume)', () => {
  it('the second is not ready while the first runs, and is ready after the first stops', async () => {
    const dir = tempDir();
    const [portA, portB] = [await freePort(), await freePort()];
    const a = startServer(dir, portA);
    expect(await until(async () => (await status(portA, '/readyz')) === 200, 30_000)).toBe(true);

    const b = startServer(dir, portB);
    // B listens (alive) but is not ready, and says why in its logs.
    expect(await until(async () => (await status(portB, '/healthz')) === 200, 30_000)).toBe(true);
    expect(await status(portB, '/readyz')).toBe(503);
    expect(await until(() => b.lines.some((l) => l.includes('"code":"data-dir-busy"')), 5000)).toBe(
      true,
    );
    const busy = b.lines.find((l) => l.includes('"code":"data-dir-busy"')) ?? '';
    expect(busy).toContain(`pid ${a.child.pid}`);
    // Still not ready a moment later: it does not serve from the same file.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await status(portB, '/readyz')).toBe(503);
    expect(await status(portB, '/api/web/conversations/abc')).not.toBe(200);

    a.child.kill('SIGTERM');
    await once(a.child, 'exit');
    expect(await until(async () => (await status(portB, '/readyz')) === 200, 30_000)).toBe(true);
    const created = await fetch(`http://127.0.0.1:${portB}/api/web/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(created.status).toBe(201);
  }, 90_000);
});
