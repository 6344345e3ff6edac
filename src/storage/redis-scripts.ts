/**
 * The Redis store's Lua scripts (each runs atomically on the server), kept as plain files in
 * `lua/` beside this module and read once when the Redis store is first imported. `npm run build`
 * copies them next to the compiled module (scripts/copy-assets.ts), so that the built server and
 * the Docker image find them at the same relative place. A missing file fails the start with
 * {@link RedisScriptMissingError}, which names it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/** The scripts, by the name the store uses, and their file in `lua/`. */
export const REDIS_SCRIPT_FILES = {
  put: 'put.lua',
  claim: 'claim.lua',
  settle: 'settle.lua',
  remember: 'remember.lua',
  deleteByUser: 'delete-by-user.lua',
  sweepIndex: 'sweep-index.lua',
  acquire: 'acquire.lua',
  unlock: 'unlock.lua',
  renew: 'renew.lua',
  leave: 'leave.lua',
  forgetRecords: 'forget-records.lua',
  rateHit: 'rate-hit.lua',
} as const;

export type RedisScriptName = keyof typeof REDIS_SCRIPT_FILES;

/** One loaded script: its text and the SHA-1 EVALSHA calls it by. */
export interface RedisScript {
  readonly name: RedisScriptName;
  readonly lua: string;
  readonly sha: string;
}

/** Where the scripts are: `lua/` next to this module (in src/ as in dist/). */
export const REDIS_SCRIPT_DIR: URL = new URL('./lua/', import.meta.url);

/** A script file is not where the store expects it (an incomplete build or image). */
export class RedisScriptMissingError extends Error {
  readonly code = 'redis-script-missing';
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Redis script file missing: ${file} (the Redis store reads its Lua scripts from there; ` +
        '`npm run build` copies src/storage/lua/*.lua next to the compiled store)',
      options,
    );
    this.name = 'RedisScriptMissingError';
  }
}

/** Reads every script from `dir` (a folder URL ending in `/`, or a path). */
export function loadRedisScripts(
  dir: URL | string = REDIS_SCRIPT_DIR,
): Readonly<Record<RedisScriptName, RedisScript>> {
  const folder = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const out = {} as Record<RedisScriptName, RedisScript>;
  for (const [name, file] of Object.entries(REDIS_SCRIPT_FILES) as [RedisScriptName, string][]) {
    const path = join(folder, file);
    let lua: string;
    try {
      lua = readFileSync(path, 'utf8');
    } catch (error) {
      throw new RedisScriptMissingError(path, { cause: error });
    }
    out[name] = { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
  }
  return out;
}

/**
 * Runs a script by its SHA, loading it (EVAL) when the server does not know it yet — after a
 * restart or a SCRIPT FLUSH.
 */
export async function runRedisScript(
  client: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.lua, keys.length, ...keys, ...args);
  }
}
