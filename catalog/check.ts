/**
 * `npm run catalog:check`: validates the catalog and prints a summary, so that whoever edits a
 * YAML file sees at once what the assistant will know (or which file and path is wrong).
 * `npm run catalog:docs` (`--write-docs`) also regenerates `docs/catalog.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderCatalogMarkdown } from './docs.js';
import { CatalogError, DEFAULT_DATA_DIR, loadCatalog } from './load.js';
import type { Catalog } from './schema.js';

/** Where the generated overview lives; the docs test compares it with a fresh rendering. */
export const DOCS_PATH = fileURLToPath(new URL('../docs/catalog.md', import.meta.url));

/** The summary printed by the check: counts, then each objective with its fiches and maturity. */
export function summarizeCatalog(catalog: Catalog): string {
  const maturity = (id: string): string =>
    catalog.guide.maturityLevels.find((m) => m.id === id)?.label ?? id;
  const lines = [
    'Catalogue valide :',
    `  ${catalog.objectives.length} objectifs`,
    `  ${catalog.fiches.length} fiches`,
    `  ${catalog.roadmaps.length} feuilles de route`,
    `  ${catalog.contacts.regions.length} régions (contacts Banque des Territoires)`,
    `  ${catalog.guide.successFactors.length} facteurs clés de succès`,
    `  ${catalog.guide.funding.measures.length} mesures de financement`,
    '',
  ];
  for (const objective of catalog.objectives) {
    lines.push(`Objectif ${objective.number} — ${objective.title}`);
    for (const fiche of catalog.fiches.filter((f) => f.objective === objective.id)) {
      lines.push(`  ${fiche.number}. ${fiche.title} — ${maturity(fiche.maturity)}`);
    }
  }
  const shown = catalog.rules.readings.filter((r) => r.shown).length;
  lines.push(
    '',
    `Nos lectures du guide : ${catalog.rules.readings.length} (dont ${shown} montrées avec leur mention), voir docs/catalog.md.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Where the CLI writes; injectable so that tests can capture the output. */
export interface CheckIo {
  out(text: string): void;
  err(text: string): void;
}

/** Options of one run of the check. */
export interface CheckOptions {
  dataDir?: string;
  docsPath?: string;
}

/**
 * Runs the check with command-line arguments and returns the exit code: 0 when the catalog is
 * valid, 1 with the CatalogError message (file: path: problem) otherwise.
 */
export function runCatalogCheck(
  args: readonly string[],
  io: CheckIo,
  options: CheckOptions = {},
): number {
  let catalog: Catalog;
  try {
    catalog = loadCatalog(options.dataDir ?? DEFAULT_DATA_DIR);
  } catch (error) {
    if (error instanceof CatalogError) {
      io.err(`Catalogue invalide — ${error.message}\n`);
      return 1;
    }
    io.err(`Catalogue illisible — ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.out(summarizeCatalog(catalog));
  if (args.includes('--write-docs')) {
    const target = resolve(options.docsPath ?? DOCS_PATH);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, renderCatalogMarkdown(catalog), 'utf8');
    io.out(`\nDocumentation régénérée : ${target}\n`);
  }
  return 0;
}

// === CLI

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  process.exitCode = runCatalogCheck(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
