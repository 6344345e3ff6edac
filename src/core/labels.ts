/**
 * Small lookups and formatting shared by the core: maturity order and labels, prerequisite
 * wording, shares as French text. Labels come from the catalog; the fallbacks only keep the
 * core answering if a label is missing from the data.
 */
import type { Catalog, Fiche, MaturityLevel, MerchantPrereq } from '../../catalog/schema.js';
import { MATURITY_LEVELS } from '../../catalog/schema.js';

/** The four merchant prerequisites, in the guide's order. */
export const MERCHANT_PREREQS: readonly MerchantPrereq[] = ['P1', 'P2', 'P3', 'P4'];

/** Position of a maturity level, lowest (très faible) = 0; unknown values sort last. */
export function maturityIndex(level: MaturityLevel): number {
  const i = MATURITY_LEVELS.indexOf(level);
  return i < 0 ? MATURITY_LEVELS.length : i;
}

const FALLBACK_LEVEL_LABELS: Record<MaturityLevel, string> = {
  'tres-faible': 'très faible',
  faible: 'faible',
  moyen: 'moyen',
  fort: 'fort',
};

/** « très faible », « faible »… as the guide prints them (lower case). */
export function maturityLabel(catalog: Catalog, level: MaturityLevel): string {
  const label = catalog.guide?.maturityLevels?.find((l) => l.id === level)?.label;
  return (label ?? FALLBACK_LEVEL_LABELS[level] ?? String(level)).toLowerCase();
}

/** The guide's wording of a prerequisite, lower-cased for use inside a sentence. */
export function prereqLabel(catalog: Catalog, code: string): string {
  const label = catalog.guide?.prerequisites?.find((p) => p.code === code)?.label;
  return label ? lowerFirst(label) : code;
}

/** Lower-cases the first letter (« Être sensibilisé » → « être sensibilisé »). */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('fr') + text.slice(1);
}

/** A fiche by id, if the catalog has it. */
export function ficheById(catalog: Catalog, id: string): Fiche | undefined {
  return catalog.fiches.find((f) => f.id === id);
}

/**
 * A share as French text: « 45 % », « 33,3 % ». A plain space before « % » so that texts can be
 * compared and searched simply; renderers may swap it for a narrow no-break space.
 */
export function formatShare(n: number): string {
  if (!Number.isFinite(n)) return '? %';
  const rounded = Math.round(n * 10) / 10;
  const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1).replace('.', ',');
  return `${text} %`;
}

/** Share difference in points, never negative. */
export function pointsGap(target: number, value: number): number {
  return Math.max(0, Math.round((target - value) * 10) / 10);
}

/**
 * The short clause shown beside one of our readings of the guide (`rules.readings`), so that a
 * person never takes it for the guide's own words: « notre lecture du guide »…
 */
export function readingLabel(catalog: Catalog, id: string): string {
  return catalog.rules?.readings?.find((r) => r.id === id)?.label ?? 'notre lecture du guide';
}

/** « guide p. 30, page d'après le sommaire »: every page we cite comes from the sommaire. */
export function pageRef(catalog: Catalog, page: number): string {
  return `guide p. ${page}, ${readingLabel(catalog, 'sommaire-pages')}`;
}
