/**
 * `docs/catalog.md` is generated from the data (issue 2): it must match a fresh rendering, so
 * town staff never read an overview that disagrees with what the assistant says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_PATH } from '../../catalog/check.js';
import { renderCatalogMarkdown } from '../../catalog/docs.js';
import { getCatalog, loadCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';

const STALE = 'docs/catalog.md is stale: run `npm run catalog:docs` and commit the result';

describe('docs/catalog.md', () => {
  it('is up to date with the catalog data', () => {
    expect(existsSync(DOCS_PATH), `${DOCS_PATH} is missing: run \`npm run catalog:docs\``).toBe(
      true,
    );
    expect(readFileSync(DOCS_PATH, 'utf8'), STALE).toBe(renderCatalogMarkdown(loadCatalog()));
  });

  it('renders the same text every time (no dates, stable order)', () => {
    const catalog = getCatalog();
    expect(renderCatalogMarkdown(catalog)).toBe(renderCatalogMarkdown(loadCatalog()));
  });

  it('shows what town staff look for: every fiche, the ★ steps, contacts and funding', () => {
    const catalog = getCatalog();
    const md = renderCatalogMarkdown(catalog);
    for (const f of catalog.fiches) expect(md).toContain(`#### Fiche ${f.number} — ${f.title}`);
    expect(md).toContain('| 1 | ★ | Je réalise un bilan');
    for (const r of catalog.contacts.regions) expect(md).toContain(`| ${r.name} | ${r.email} |`);
    expect(md).toContain('## Les financements mentionnés dans le guide');
    expect(md).toContain("**7 millions d'euros (20 000 € par collectivité)**");
    expect(md).toMatch(/n’ont pas été transcrites/);
    expect(md).toContain('50 %, par convention');
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/\n{3}/);
  });

  it('keeps a table row whole when a text contains a pipe', () => {
    const catalog = structuredClone(getCatalog()) as Catalog & { fiches: { title: string }[] };
    const first = catalog.fiches[0];
    if (!first) throw new Error('no fiche');
    first.title = 'Formation | en ligne';
    const row = renderCatalogMarkdown(catalog)
      .split('\n')
      .find((line) => line.startsWith('| 1. Formation'));
    expect(row).toBe(
      '| 1. Formation \\| en ligne | 1 | très faible | individuelle (pour chaque commerçant) |',
    );
  });
});
