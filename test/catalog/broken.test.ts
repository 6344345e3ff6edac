/**
 * A broken edit of the catalog fails loudly: the error names the file and the path inside it
 * (SPEC §3), for the loader and for `npm run catalog:check`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runCatalogCheck } from '../../catalog/check.js';
import { CatalogError, DEFAULT_DATA_DIR, loadCatalog } from '../../catalog/load.js';

const copies: string[] = [];

/** A fresh copy of the real data directory, to break at will. */
function copyData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-broken-'));
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  copies.push(dir);
  return dir;
}

/** Edits one YAML file of the copy through its document, so comments and layout do not matter. */
function edit(dir: string, file: string, change: (doc: ReturnType<typeof parseDocument>) => void) {
  const path = join(dir, file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  change(doc);
  writeFileSync(path, doc.toString());
}

function loadError(dir: string): CatalogError {
  try {
    loadCatalog(dir);
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('the broken catalog loaded without error');
}

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a broken catalog names the file and the path of the problem', () => {
  it('the untouched copy loads (so each failure below comes from its own break)', () => {
    expect(loadCatalog(copyData()).fiches).toHaveLength(14);
  });

  it('a roadmap naming an unknown fiche', () => {
    const dir = copyData();
    edit(dir, 'roadmaps/collectif.yaml', (doc) =>
      doc.setIn(['fiches', 6], 'place-de-marche-locale'),
    );
    const error = loadError(dir);
    expect(error.file).toMatch(/roadmaps[/\\]collectif\.yaml$/);
    expect(error.path).toBe('fiches[6]');
    expect(error.message).toContain('unknown fiche "place-de-marche-locale"');
    expect(error.code).toBe('CATALOG_INVALID');
  });

  it('a fiche without its required title', () => {
    const dir = copyData();
    edit(dir, 'fiches/13-site-vente-en-ligne.yaml', (doc) => doc.deleteIn(['title']));
    const error = loadError(dir);
    expect(error.file).toMatch(/fiches[/\\]13-site-vente-en-ligne\.yaml$/);
    expect(error.path).toBe('title');
    expect(error.message).toMatch(/13-site-vente-en-ligne\.yaml: title: /);
  });

  it('an impact rated outside + / ++ / +++ / n/a', () => {
    const dir = copyData();
    edit(dir, 'fiches/14-place-de-marche.yaml', (doc) =>
      doc.setIn(['impacts', 'fluxPassants'], '++++'),
    );
    const error = loadError(dir);
    expect(error.file).toMatch(/fiches[/\\]14-place-de-marche\.yaml$/);
    expect(error.path).toBe('impacts.fluxPassants');
  });

  it('a regional contact with a malformed e-mail address', () => {
    const dir = copyData();
    edit(dir, 'contacts.yaml', (doc) =>
      doc.setIn(['regions', 2, 'email'], 'bretagne(at)caissedesdepots.fr'),
    );
    const error = loadError(dir);
    expect(error.file).toMatch(/contacts\.yaml$/);
    expect(error.path).toBe('regions[2].email');
  });

  it('a file that is not valid YAML', () => {
    const dir = copyData();
    writeFileSync(join(dir, 'guide.yaml'), 'source:\n  title: [non fermé\n  subtitle: x\n');
    const error = loadError(dir);
    expect(error.file).toMatch(/guide\.yaml$/);
    expect(error.path).toBe('');
    expect(error.message).toMatch(/guide\.yaml: \(root\): not valid YAML/);
  });

  it('`npm run catalog:check` exits 1 and prints the file and the path', () => {
    const dir = copyData();
    edit(dir, 'roadmaps/individuel.yaml', (doc) => doc.setIn(['fiches', 0], 'fiche-inconnue'));
    let out = '';
    let err = '';
    const code = runCatalogCheck(
      [],
      { out: (t) => (out += t), err: (t) => (err += t) },
      { dataDir: dir },
    );
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/individuel\.yaml: fiches\[0\]: unknown fiche "fiche-inconnue"/);
  });
});
