/**
 * Starts a throwaway redis-server on loopback for the Redis store tests when none is given
 * (REDIS_TEST_URL unset) and the Debian package is installed, so `npm test` needs no manual step.
 * CI starts its own and sets REDIS_TEST_URL; then this does nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

async function waitForRedis(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.REDIS_TEST_URL) return undefined;
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'clic-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  if (!(await waitForRedis(port, 5000))) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  process.env.REDIS_TEST_URL = `redis://127.0.0.1:${port}`;
  return () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}
