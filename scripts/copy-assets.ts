/**
 * Copies what the compiled server reads at run time but tsc does not emit: the guide's data
 * (`catalog/data` → `dist/catalog/data`) and the Redis store's Lua scripts (`src/storage/lua` →
 * `dist/src/storage/lua`, read next to the compiled store), then compiles the guide (validated) to
 * `dist/catalog/catalog.json`, which the built server loads at start. Part of `npm run build`.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCatalog } from '../catalog/load.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Source → destination pairs, relative to the repository root. */
export const ASSETS: readonly (readonly [string, string])[] = [
  ['catalog/data', 'dist/catalog/data'],
  ['src/storage/lua', 'dist/src/storage/lua'],
];

/** Copies every asset, replacing an older copy. */
export function copyAssets(root: string = ROOT): void {
  for (const [from, to] of ASSETS) {
    const source = join(root, from);
    const target = join(root, to);
    if (!existsSync(source)) throw new Error(`missing asset folder: ${from}`);
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true });
    console.log(`copied ${from} → ${to}`);
  }
  compileCatalog(join(root, 'dist/catalog/data'), join(root, 'dist/catalog/catalog.json'));
  console.log('compiled dist/catalog/data → dist/catalog/catalog.json');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  copyAssets();
}
