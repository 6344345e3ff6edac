/**
 * Loads the guide from `catalog/data/`, validates each file with its zod schema, checks every
 * cross-reference and deep-freezes the result. The first problem throws a CatalogError that
 * names the file and the path inside it, so a broken edit is found at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load as parseYaml } from 'js-yaml';
import type { z } from 'zod';
import {
  type Catalog,
  Contacts,
  Fiche,
  Guide,
  OBJECTIVE_IDS,
  Objective,
  Roadmap,
  RoadmapId,
  Rules,
  Vocabulary,
} from './schema.js';

/** Where the catalog data lives by default (copied beside the compiled loader by the build). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));

/**
 * The catalog compiled by `npm run build` (validated and cross-checked from the YAML, as JSON),
 * beside the compiled loader: the built server reads it instead of parsing and validating the
 * YAML at every start. Never present beside the sources.
 */
export const COMPILED_CATALOG = fileURLToPath(new URL('./catalog.json', import.meta.url));

/** A catalog problem: which file, where in it, and what is wrong. */
export class CatalogError extends Error {
  readonly code = 'CATALOG_INVALID';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${path || '(root)'}: ${problem}`, options);
    this.name = 'CatalogError';
  }
}

// === Reading and validating one file

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function readYaml(dir: string, file: string): unknown {
  const full = join(dir, file);
  const shown = relative(process.cwd(), full) || full;
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (cause) {
    throw new CatalogError(shown, '', 'file cannot be read', { cause });
  }
  try {
    return parseYaml(text, { schema: CORE_SCHEMA, filename: shown });
  } catch (cause) {
    throw new CatalogError(shown, '', `not valid YAML (${(cause as Error).message})`, { cause });
  }
}

function validate<S extends z.ZodType>(schema: S, data: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CatalogError(file, formatPath(issue?.path ?? []), issue?.message ?? 'invalid');
  }
  return result.data;
}

function loadFile<S extends z.ZodType>(dir: string, file: string, schema: S): z.infer<S> {
  const shown = relative(process.cwd(), join(dir, file)) || file;
  return validate(schema, readYaml(dir, file), shown);
}

function listYaml(dir: string, sub: string): string[] {
  try {
    return readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(sub, f));
  } catch (cause) {
    throw new CatalogError(join(dir, sub), '', 'folder cannot be read', { cause });
  }
}

// === Cross-references

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface Located<T> {
  file: string;
  value: T;
}

/** Our readings the assistant labels by id: each must be described in rules.yaml. */
export const REQUIRED_READINGS: readonly string[] = [
  'merchant-level',
  'implies',
  'builders',
  'merchant-roles',
  'web-active-share',
  'marketplace-listing',
  'order-rule',
  'stock-high',
  'centre-ville-gaps',
  'sommaire-pages',
  'example-sectors',
];

function crossCheck(
  dir: string,
  objectives: Located<Objective>[],
  fiches: Located<Fiche>[],
  roadmaps: Located<Roadmap>[],
  guide: Guide,
  contacts: Contacts,
  rules: Rules,
  vocabulary: Vocabulary,
): void {
  const fail = (file: string, path: string, problem: string): never => {
    throw new CatalogError(relative(process.cwd(), join(dir, file)) || file, path, problem);
  };
  const ficheIds = new Set<string>();
  const numbers = new Set<number>();
  for (const { file, value } of fiches) {
    if (ficheIds.has(value.id)) fail(file, 'id', `duplicate fiche id "${value.id}"`);
    if (numbers.has(value.number)) fail(file, 'number', `duplicate fiche number ${value.number}`);
    ficheIds.add(value.id);
    numbers.add(value.number);
  }
  const objectiveIds = new Set<string>();
  for (const { file, value } of objectives) {
    if (objectiveIds.has(value.id)) fail(file, 'id', `duplicate objective "${value.id}"`);
    objectiveIds.add(value.id);
  }
  for (const id of OBJECTIVE_IDS) {
    if (!objectiveIds.has(id)) fail('objectives', '', `objective "${id}" is missing`);
  }
  const sectorIds = new Set(guide.sectors.map((s) => s.id));
  for (const { file, value } of fiches) {
    if (!objectiveIds.has(value.objective))
      fail(file, 'objective', `unknown objective "${value.objective}"`);
    value.sectors?.values.forEach((s, i) => {
      if (!sectorIds.has(s)) fail(file, `sectors.values[${i}]`, `unknown sector "${s}"`);
    });
    value.examples.forEach((e, i) => {
      if (e.sector && !sectorIds.has(e.sector))
        fail(file, `examples[${i}].sector`, `unknown sector "${e.sector}"`);
    });
  }
  const questionIds = new Set<string>();
  for (const { file, value } of roadmaps) {
    value.fiches.forEach((id, i) => {
      if (!ficheIds.has(id)) fail(file, `fiches[${i}]`, `unknown fiche "${id}"`);
    });
    value.questions.forEach((q, i) => {
      if (questionIds.has(q.id)) fail(file, `questions[${i}].id`, `duplicate question "${q.id}"`);
      questionIds.add(q.id);
    });
    value.steps.forEach((s, i) => {
      if (s.number !== i + 1) fail(file, `steps[${i}].number`, `expected step ${i + 1}`);
    });
  }
  for (const [p, ids] of Object.entries(rules.builders)) {
    ids.forEach((id, i) => {
      if (!ficheIds.has(id)) fail('rules.yaml', `builders.${p}[${i}]`, `unknown fiche "${id}"`);
    });
  }
  for (const [q, gap] of Object.entries(rules.centreVilleGaps)) {
    if (!questionIds.has(q)) fail('rules.yaml', `centreVilleGaps.${q}`, `unknown question "${q}"`);
    if (!ficheIds.has(gap.fiche))
      fail('rules.yaml', `centreVilleGaps.${q}.fiche`, `unknown fiche "${gap.fiche}"`);
  }
  for (const [path, id] of Object.entries(rules.collectifPaths)) {
    if (!ficheIds.has(id)) fail('rules.yaml', `collectifPaths.${path}`, `unknown fiche "${id}"`);
  }
  const readingIds = new Set<string>();
  rules.readings.forEach((r, i) => {
    if (readingIds.has(r.id))
      fail('rules.yaml', `readings[${i}].id`, `duplicate reading "${r.id}"`);
    readingIds.add(r.id);
  });
  for (const id of REQUIRED_READINGS)
    if (!readingIds.has(id)) fail('rules.yaml', 'readings', `reading "${id}" is missing`);
  for (const id of Object.keys(vocabulary.fiches)) {
    if (!ficheIds.has(id)) fail('vocabulary.yaml', `fiches.${id}`, `unknown fiche "${id}"`);
  }
  for (const id of Object.keys(vocabulary.sectors)) {
    if (!sectorIds.has(id)) fail('vocabulary.yaml', `sectors.${id}`, `unknown sector "${id}"`);
  }
  const regionIds = new Set(contacts.regions.map((r) => r.id));
  for (const id of Object.keys(vocabulary.regions)) {
    if (!regionIds.has(id)) fail('vocabulary.yaml', `regions.${id}`, `unknown region "${id}"`);
  }
}

// === Entry points

/** Reads, validates, cross-checks and freezes the catalog found in `dir`. Throws CatalogError. */
export function loadCatalog(dir: string = DEFAULT_DATA_DIR): Catalog {
  const located = <S extends z.ZodType>(sub: string, schema: S) =>
    listYaml(dir, sub).map((file) => ({ file, value: loadFile(dir, file, schema) }));
  const objectives = located('objectives', Objective);
  const fiches = located('fiches', Fiche);
  const roadmaps = located('roadmaps', Roadmap);
  const guide = loadFile(dir, 'guide.yaml', Guide);
  const contacts = loadFile(dir, 'contacts.yaml', Contacts);
  const rules = loadFile(dir, 'rules.yaml', Rules);
  const vocabulary = loadFile(dir, 'vocabulary.yaml', Vocabulary);
  crossCheck(dir, objectives, fiches, roadmaps, guide, contacts, rules, vocabulary);
  const catalog: Catalog = {
    guide,
    objectives: objectives.map((o) => o.value).sort((a, b) => a.number - b.number),
    fiches: fiches.map((f) => f.value).sort((a, b) => a.number - b.number),
    roadmaps: roadmaps
      .map((r) => r.value)
      .sort((a, b) => RoadmapId.options.indexOf(a.id) - RoadmapId.options.indexOf(b.id)),
    contacts,
    rules,
    vocabulary,
  };
  return deepFreeze(catalog);
}

// === The compiled catalog (build output)

/** Every YAML file of the catalog in `dir`, in a fixed order. */
function dataFiles(dir: string): string[] {
  return [
    'guide.yaml',
    'contacts.yaml',
    'rules.yaml',
    'vocabulary.yaml',
    ...['objectives', 'fiches', 'roadmaps'].flatMap((sub) => listYaml(dir, sub)),
  ];
}

/** A digest of the names and contents of the YAML files in `dir`. */
function dataFingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const file of dataFiles(dir)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Validates the YAML of `dir` (throws CatalogError) and writes it to `file` as compiled JSON. */
export function compileCatalog(dir: string, file: string): Catalog {
  const catalog = loadCatalog(dir);
  writeFileSync(file, JSON.stringify({ fingerprint: dataFingerprint(dir), catalog }));
  return catalog;
}

/**
 * The catalog compiled in `file`, only while it was compiled from the YAML now in `dir` (an edit
 * of the data after the build makes it stale); undefined when it is stale, missing or unreadable.
 */
export function loadCompiledCatalog(file: string, dir: string): Catalog | undefined {
  try {
    if (!existsSync(file)) return undefined;
    const compiled = JSON.parse(readFileSync(file, 'utf8')) as {
      fingerprint?: unknown;
      catalog?: Catalog;
    };
    if (!compiled.catalog || compiled.fingerprint !== dataFingerprint(dir)) return undefined;
    return deepFreeze(compiled.catalog);
  } catch {
    return undefined;
  }
}

let cached: Catalog | undefined;

/**
 * The default catalog, loaded once per process: the build's compiled catalog when it matches the
 * data, else the YAML, validated.
 */
export function getCatalog(): Catalog {
  cached ??= loadCompiledCatalog(COMPILED_CATALOG, DEFAULT_DATA_DIR) ?? loadCatalog();
  return cached;
}
