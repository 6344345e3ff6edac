/**
 * Arrows point inward only (STYLE.md, SPEC §1): adapters → src → flows/catalog. The pure layers
 * never import an adapter or a platform SDK; only the composition root (`src/main.ts`,
 * `src/server/**`) wires them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// === The checker

/** Every module specifier of import / export-from statements and dynamic imports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) if (match[1]) found.push(match[1]);
  }
  return found;
}

const PLATFORM_SDK = /^(?:grammy|@grammyjs\/|@slack\/|fastify(?:$|[/-])|@fastify\/)/;

/** The layer rules: what a file, by its repo-relative path, must not import. */
function violations(file: string, source: string): string[] {
  const problems: string[] = [];
  const layer = file.split('/')[0];
  for (const spec of specifiers(source)) {
    const target = spec.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), spec))
          .split(sep)
          .join('/')
      : undefined;
    if (target === undefined) {
      if (PLATFORM_SDK.test(spec)) problems.push(`${file} imports the platform SDK "${spec}"`);
      continue;
    }
    if (target.startsWith('adapters/')) problems.push(`${file} imports the adapter "${target}"`);
    if (
      (layer === 'catalog' || layer === 'flows') &&
      /^src\/(?:runtime|storage|server)(?:\/|\.|$)/.test(target)
    )
      problems.push(`${file} imports "${target}" (runtime, storage and server stay outside)`);
    if (layer === 'catalog' && /^(?:src|flows)(?:\/|$)/.test(target))
      problems.push(`${file} imports "${target}" (the catalog depends on nothing)`);
  }
  return problems;
}

function isCompositionRoot(file: string): boolean {
  return file === 'src/main.ts' || file.startsWith('src/server/');
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .map((e) => `${dir}/${e.split(sep).join('/')}`)
    .filter((f) => /\.(?:ts|tsx|mts|cts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'));
}

// === The checker itself catches what it should

describe('the import checker', () => {
  it('reads static, type-only, re-export, side-effect and dynamic imports', () => {
    const source = [
      "import { Bot } from 'grammy';",
      "import type { App } from '@slack/bolt';",
      "export { x } from './x.js';",
      "export * from '../y.js';",
      "import 'fastify';",
      'import {',
      '  a,',
      '  b,',
      "} from '@fastify/cors';",
      "const m = await import('../../adapters/web/render.js');",
      'const text = \'not an import from "grammy"\';',
    ].join('\n');
    expect(specifiers(source)).toEqual([
      'grammy',
      '@slack/bolt',
      './x.js',
      '../y.js',
      'fastify',
      '@fastify/cors',
      '../../adapters/web/render.js',
    ]);
  });

  it('flags an SDK or an adapter imported from a pure layer', () => {
    expect(violations('src/core/x.ts', "import { Bot } from 'grammy';")).toHaveLength(1);
    expect(violations('flows/x.ts', "import type { App } from '@slack/bolt';")).toHaveLength(1);
    expect(violations('src/reply/x.ts', "import f from 'fastify';")).toHaveLength(1);
    expect(violations('src/reply/x.ts', "import h from '@fastify/helmet';")).toHaveLength(1);
    expect(violations('src/x.ts', "import { r } from '../adapters/web/render.js';")).toEqual([
      'src/x.ts imports the adapter "adapters/web/render.js"',
    ]);
  });

  it('keeps runtime, storage and server out of catalog/ and flows/, and src/ out of catalog/', () => {
    expect(
      violations('flows/accueil.ts', "import { x } from '../src/runtime/types.js';"),
    ).toHaveLength(1);
    expect(
      violations('flows/accueil.ts', "import { x } from '../src/storage/sqlite.js';"),
    ).toHaveLength(1);
    expect(violations('catalog/x.ts', "import { x } from '../src/core/labels.js';")).toHaveLength(
      1,
    );
    expect(violations('catalog/x.ts', "import { x } from '../flows/accueil.js';")).toHaveLength(1);
  });

  it('lets the inward arrows through', () => {
    expect(violations('flows/accueil.ts', "import { c } from '../catalog/load.js';")).toEqual([]);
    expect(violations('flows/accueil.ts', "import { c } from '../src/core/merchant.js';")).toEqual(
      [],
    );
    expect(violations('src/core/x.ts', "import { z } from 'zod';\nimport 'xstate';")).toEqual([]);
    expect(violations('catalog/load.ts', "import { parse } from 'yaml';")).toEqual([]);
  });
});

// === The real tree

describe('the real tree keeps its arrows inward', () => {
  const files = ['catalog', 'flows', 'src']
    .flatMap(sourceFiles)
    .filter((f) => !isCompositionRoot(f));

  it('scans the catalog and the core', () => {
    expect(files).toContain('catalog/load.ts');
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
  });

  it('no file of catalog/, flows/ or src/ (outside the composition root) breaks a layer rule', () => {
    const problems = files.flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(problems).toEqual([]);
  });
});
