/**
 * Arrows point inward only (STYLE.md, SPEC §1): app → adapters → src → flows/catalog. The pure
 * layers never import an adapter or a platform SDK; `src/app/` — the composition root — is the
 * only place that imports adapters; adapters import ports from `src/`, never the server or the
 * composition root; nothing that ships imports `test/` or `scripts/`.
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

/** Chat platform SDKs: adapters only. */
const CHAT_SDK = /^(?:grammy|@grammyjs\/|@slack\/)/;
/** The HTTP framework: adapters, the server, its channel port and the composition root. */
const HTTP_FRAMEWORK = /^(?:fastify(?:$|[/-])|@fastify\/)/;

/** Where a file sits: `src/app`, `src/server`, `src/channel.ts`, `src`, `adapters`… */
function layerOf(file: string): string {
  if (file.startsWith('src/app/')) return 'src/app';
  if (file.startsWith('src/server/')) return 'src/server';
  if (file === 'src/channel.ts') return 'src/channel';
  return file.split('/')[0] ?? '';
}

/** The layer rules: what a file, by its repo-relative path, must not import. */
function violations(file: string, source: string): string[] {
  const problems: string[] = [];
  const layer = layerOf(file);
  const inSrc = layer === 'src' || layer.startsWith('src/');
  for (const spec of specifiers(source)) {
    const target = spec.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), spec))
          .split(sep)
          .join('/')
      : undefined;
    if (target === undefined) {
      if (layer !== 'adapters' && CHAT_SDK.test(spec))
        problems.push(`${file} imports the platform SDK "${spec}"`);
      const httpAllowed = ['adapters', 'src/app', 'src/server', 'src/channel'].includes(layer);
      if (!httpAllowed && HTTP_FRAMEWORK.test(spec))
        problems.push(`${file} imports the platform SDK "${spec}"`);
      continue;
    }
    if (target.startsWith('adapters/') && layer !== 'adapters' && layer !== 'src/app')
      problems.push(`${file} imports the adapter "${target}"`);
    if (/^(?:test|scripts)\//.test(target))
      problems.push(`${file} imports "${target}" (tests and scripts never ship)`);
    if (layer === 'adapters' && /^src\/(?:server|app)(?:\/|\.|$)/.test(target))
      problems.push(`${file} imports "${target}" (adapters import ports, not the server or app)`);
    if (inSrc && layer !== 'src/app' && /^src\/app(?:\/|$)/.test(target) && file !== 'src/main.ts')
      problems.push(`${file} imports "${target}" (only main starts the composition root)`);
    if (
      (layer === 'catalog' || layer === 'flows') &&
      /^src\/(?:runtime|storage|server|app)(?:\/|\.|$)/.test(target)
    )
      problems.push(`${file} imports "${target}" (runtime, storage and server stay outside)`);
    if (layer === 'catalog' && /^(?:src|flows)(?:\/|$)/.test(target))
      problems.push(`${file} imports "${target}" (the catalog depends on nothing)`);
  }
  return problems;
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

  it('lets only src/app/ import adapters, and keeps adapters off the server and the app', () => {
    const web = "import { w } from '../../adapters/web/plugin.js';";
    expect(violations('src/app/compose.ts', web)).toEqual([]);
    expect(violations('src/server/build-server.ts', web)).toHaveLength(1);
    expect(violations('src/main.ts', "import { w } from '../adapters/web/plugin.js';")).toEqual([
      'src/main.ts imports the adapter "adapters/web/plugin.js"',
    ]);
    expect(
      violations('adapters/slack/channel.ts', "import type { C } from '../../src/app/compose.js';"),
    ).toHaveLength(1);
    expect(
      violations(
        'adapters/web/plugin.ts',
        "import type { P } from '../../src/server/build-server.js';",
      ),
    ).toHaveLength(1);
    expect(
      violations('adapters/web/plugin.ts', "import type { P } from '../../src/channel.js';"),
    ).toEqual([]);
    expect(violations('src/main.ts', "const m = await import('./app/main.js');")).toEqual([]);
    expect(violations('src/runtime/x.ts', "import { a } from '../app/compose.js';")).toHaveLength(
      1,
    );
  });

  it('keeps test/ and scripts/ out of everything that ships, fastify out of the pure layers', () => {
    expect(violations('src/main.ts', "await import('../scripts/build-widget.js');")).toHaveLength(
      1,
    );
    expect(
      violations('src/x.ts', "import { h } from '../test/understand/held-out.js';"),
    ).toHaveLength(1);
    expect(violations('adapters/web/x.ts', "import { s } from '../../scripts/x.js';")).toHaveLength(
      1,
    );
    expect(violations('src/server/build-server.ts', "import Fastify from 'fastify';")).toEqual([]);
    expect(violations('src/channel.ts', "import type { F } from 'fastify';")).toEqual([]);
    expect(violations('src/runtime/x.ts', "import type { F } from 'fastify';")).toHaveLength(1);
    expect(violations('src/server/x.ts', "import { Bot } from 'grammy';")).toHaveLength(1);
    expect(violations('adapters/telegram/x.ts', "import { Bot } from 'grammy';")).toEqual([]);
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
  const files = ['catalog', 'flows', 'src', 'adapters'].flatMap(sourceFiles);

  it('scans the catalog, the core, the composition root and the adapters', () => {
    expect(files).toContain('catalog/load.ts');
    expect(files).toContain('src/app/compose.ts');
    expect(files).toContain('src/main.ts');
    expect(files).toContain('adapters/slack/channel.ts');
  });

  it('no file of catalog/, flows/, src/ or adapters/ breaks a layer rule', () => {
    const problems = files.flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(problems).toEqual([]);
  });
});
