/**
 * The build compiles the validated catalog to JSON (`dist/catalog/catalog.json`) so the built
 * server starts without parsing and validating the YAML; it is used only while it matches the data.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CatalogError,
  COMPILED_CATALOG,
  compileCatalog,
  DEFAULT_DATA_DIR,
  loadCatalog,
  loadCompiledCatalog,
} from '../../catalog/load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the catalog data and the path of a compiled file beside it. */
function copy(): { data: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), 'catalog-compiled-'));
  dirs.push(root);
  const data = join(root, 'data');
  cpSync(DEFAULT_DATA_DIR, data, { recursive: true });
  return { data, file: join(root, 'catalog.json') };
}

describe('the compiled catalog', () => {
  it('holds exactly what the YAML gives, frozen', () => {
    const { data, file } = copy();
    compileCatalog(data, file);
    const compiled = loadCompiledCatalog(file, data);
    expect(compiled).toEqual(loadCatalog(data));
    expect(Object.isFrozen(compiled?.fiches[0])).toBe(true);
  });

  it('is ignored once the data changed after the build (the YAML is read again)', () => {
    const { data, file } = copy();
    compileCatalog(data, file);
    appendFileSync(join(data, 'rules.yaml'), '\n# edited after the build\n');
    expect(loadCompiledCatalog(file, data)).toBeUndefined();
  });

  it('is ignored when missing or damaged', () => {
    const { data, file } = copy();
    expect(loadCompiledCatalog(file, data)).toBeUndefined();
    writeFileSync(file, '{"fingerprint": "x", "catal');
    expect(loadCompiledCatalog(file, data)).toBeUndefined();
  });

  it('is never written from broken data: the build fails naming the file', () => {
    const { data, file } = copy();
    writeFileSync(join(data, 'rules.yaml'), 'not: [valid');
    expect(() => compileCatalog(data, file)).toThrow(CatalogError);
    expect(existsSync(file)).toBe(false);
  });

  it('is not beside the sources (only the build writes it, under dist/)', () => {
    expect(existsSync(COMPILED_CATALOG)).toBe(false);
  });
});
