/**
 * The Redis store's Lua scripts live in src/storage/lua/*.lua, read at start: every file the
 * store names is there (and nothing else), a missing one stops the start with an error naming the
 * file, and `npm run build`'s asset step puts them next to the compiled store.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { copyAssets } from '../../scripts/copy-assets.js';
import {
  loadRedisScripts,
  REDIS_SCRIPT_DIR,
  REDIS_SCRIPT_FILES,
  RedisScriptMissingError,
} from '../../src/storage/redis-scripts.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LUA = join(ROOT, 'src/storage/lua');
const scratch = mkdtempSync(join(tmpdir(), 'clic-lua-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Redis Lua scripts', () => {
  it('are read from src/storage/lua: one file per script, none left over, each with its SHA-1', () => {
    expect(fileURLToPath(REDIS_SCRIPT_DIR)).toBe(`${LUA}/`);
    const scripts = loadRedisScripts();
    expect(Object.keys(scripts).sort()).toEqual(Object.keys(REDIS_SCRIPT_FILES).sort());
    expect(readdirSync(LUA).sort()).toEqual(Object.values(REDIS_SCRIPT_FILES).sort());
    for (const script of Object.values(scripts)) {
      expect(script.lua).toMatch(/redis\.call\(/);
      expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(new Set(Object.values(scripts).map((s) => s.sha)).size).toBe(
      Object.keys(scripts).length,
    );
  });

  it('a missing script file stops the load with an error naming that file', () => {
    const dir = join(scratch, 'incomplete');
    cpSync(LUA, dir, { recursive: true });
    rmSync(join(dir, 'acquire.lua'));
    let caught: unknown;
    try {
      loadRedisScripts(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RedisScriptMissingError);
    const error = caught as RedisScriptMissingError;
    expect(error.file).toBe(join(dir, 'acquire.lua'));
    expect(error.message).toContain(`Redis script file missing: ${join(dir, 'acquire.lua')}`);
    expect(error.code).toBe('redis-script-missing');
  });

  it('the build copies them next to the compiled store, where it reads them', () => {
    const root = join(scratch, 'repo');
    mkdirSync(join(root, 'src/storage'), { recursive: true });
    cpSync(join(ROOT, 'catalog/data'), join(root, 'catalog/data'), { recursive: true });
    cpSync(LUA, join(root, 'src/storage/lua'), { recursive: true });
    copyAssets(root);
    const built = join(root, 'dist/src/storage/lua');
    expect(readdirSync(built).sort()).toEqual(Object.values(REDIS_SCRIPT_FILES).sort());
    expect(loadRedisScripts(built)).toEqual(loadRedisScripts());
  });
});
