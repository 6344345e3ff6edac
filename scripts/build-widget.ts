/**
 * Bundles the widget (`adapters/web/widget/*.ts`) into ONE minified `widget.js` with esbuild and
 * prints its gzipped size (aim: ≤ 15 KB). Used by `npm run build:widget`, by `npm run build`
 * (into dist/), by the browser tests' setup and by `npm start` (`prestart`, only when the bundle
 * is missing). The server never imports this file: esbuild is a development tool.
 *
 *   tsx scripts/build-widget.ts [--out DIR] [--if-missing]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the server looks for the bundle when running from source. */
export const DEFAULT_WIDGET_FILE = join(ROOT, 'adapters', 'web', 'public', 'widget.js');

/** The size budget the issue sets for the gzipped bundle. */
export const WIDGET_GZIP_BUDGET = 15 * 1024;

/** What one build produced. */
export interface WidgetBuild {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds `widget.js` into `outFile` (minified, ES2020, one IIFE, no source map). */
export async function buildWidget(outFile: string = DEFAULT_WIDGET_FILE): Promise<WidgetBuild> {
  mkdirSync(dirname(outFile), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'adapters', 'web', 'widget', 'main.ts')],
    outfile: outFile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari14'],
    platform: 'browser',
    legalComments: 'none',
    banner: { js: '/* Clic Centre-Ville widget — MIT */' },
    logLevel: 'silent',
  });
  const body = readFileSync(outFile);
  return { file: outFile, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

// === CLI

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (invokedDirectly) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
  const outFile = outDir ? join(resolve(outDir), 'widget.js') : DEFAULT_WIDGET_FILE;
  if (process.argv.includes('--if-missing') && existsSync(outFile)) process.exit(0);
  const result = await buildWidget(outFile);
  const within = result.gzipBytes <= WIDGET_GZIP_BUDGET ? 'within' : 'OVER';
  console.log(
    `widget.js → ${relative(process.cwd(), result.file)}: ${kb(result.bytes)} minified, ${kb(result.gzipBytes)} gzipped (${within} the ${kb(WIDGET_GZIP_BUDGET)} budget)`,
  );
  if (result.gzipBytes > WIDGET_GZIP_BUDGET) process.exitCode = 1;
}
