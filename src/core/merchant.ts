/**
 * Merchant self-diagnostic (SPEC §4): from yes / no / unknown answers on P1–P4 to the
 * prerequisites met, a maturity level and what is still unknown, as codes. The level is our
 * reading of the guide's prerequisites, and every text that words it says so.
 */
import type { Catalog, MaturityLevel, MerchantPrereq } from '../../catalog/schema.js';
import { MATURITY_LEVELS } from '../../catalog/schema.js';
import { MERCHANT_PREREQS, maturityLabel } from './labels.js';

/** One answer to a yes/no maturity question; « je ne sais pas » is `unknown`. */
export type Answer = 'yes' | 'no' | 'unknown';

/** The four merchant answers; a missing one counts as unknown. */
export type MerchantAnswers = Partial<Record<MerchantPrereq, Answer>>;

/**
 * An answer read differently from what was given: `unreadable` (a value other than yes / no /
 * unknown, counted as unknown), `unknown-question` (ignored), `implied` (a « non » contradicted
 * by « oui » answers that suppose it, counted as met).
 */
export type MerchantClarification =
  | { readonly code: 'unreadable'; readonly prereq: MerchantPrereq }
  | { readonly code: 'unknown-question'; readonly key: string }
  | {
      readonly code: 'implied';
      readonly prereq: MerchantPrereq;
      readonly because: readonly MerchantPrereq[];
    };

/** What the self-diagnostic concludes (presenters word it: level, how to find out…). */
export interface MerchantAssessment {
  /** Prerequisites met, after implications (P2–P4 ⇒ P1), in P1–P4 order. */
  met: MerchantPrereq[];
  /** Prerequisites neither met nor answered « non » (unknown or not answered): each gets advice. */
  unknown: MerchantPrereq[];
  level: MaturityLevel;
  /** « très faible », « faible »… (the catalog's label). */
  levelLabel: string;
  /** Answers we read differently from what was given (contradiction or unreadable value). */
  clarifications: MerchantClarification[];
}

const ANSWERS: readonly string[] = ['yes', 'no', 'unknown'];

/**
 * The P1–P4 answers recorded in a flat record (the dialogue's), in the core's shape: the one
 * reader of those answers. A value other than yes / no / unknown is left out; `undefined` when
 * none of the four was given.
 */
export function merchantAnswersOf(
  answers: Readonly<Record<string, unknown>>,
): MerchantAnswers | undefined {
  const out: MerchantAnswers = {};
  for (const p of MERCHANT_PREREQS) {
    const v = answers[p];
    if (v === 'yes' || v === 'no' || v === 'unknown') out[p] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Adds what the given prerequisites imply (rules.implies), until nothing changes. */
export function closeImplications(
  catalog: Catalog,
  given: Iterable<MerchantPrereq>,
): Set<MerchantPrereq> {
  const met = new Set(given);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of [...met]) {
      for (const q of catalog.rules.implies[p] ?? []) {
        if (!met.has(q)) {
          met.add(q);
          grew = true;
        }
      }
    }
  }
  return met;
}

/** The level for a set of met prerequisites: first matching row of rules.levels. */
export function levelFor(catalog: Catalog, met: ReadonlySet<MerchantPrereq>): MaturityLevel {
  for (const row of catalog.rules.levels) {
    if (row.allOf && !row.allOf.every((p) => met.has(p))) continue;
    if (row.anyOf && !row.anyOf.some((p) => met.has(p))) continue;
    if (row.exactlyOneOf && row.exactlyOneOf.filter((p) => met.has(p)).length !== 1) continue;
    return row.level;
  }
  return MATURITY_LEVELS[0];
}

/**
 * Assesses a merchant from their P1–P4 answers. Unknown answers count as not met (the prudent
 * reading) and are listed in `unknown`; unreadable values are treated as unknown and reported.
 */
export function assessMerchant(catalog: Catalog, answers: MerchantAnswers): MerchantAssessment {
  const given: Record<string, unknown> =
    answers !== null && typeof answers === 'object' ? (answers as Record<string, unknown>) : {};
  const clarifications: MerchantClarification[] = [];
  const yes: MerchantPrereq[] = [];
  const no = new Set<MerchantPrereq>();
  for (const p of MERCHANT_PREREQS) {
    const a = given[p];
    if (a === 'yes') yes.push(p);
    else if (a === 'no') no.add(p);
    else if (a !== undefined && !(typeof a === 'string' && ANSWERS.includes(a)))
      clarifications.push({ code: 'unreadable', prereq: p });
  }
  for (const key of Object.keys(given)) {
    if (!MERCHANT_PREREQS.includes(key as MerchantPrereq))
      clarifications.push({ code: 'unknown-question', key: key.slice(0, 40) });
  }
  const met = closeImplications(catalog, yes);
  for (const p of no) {
    if (met.has(p)) {
      const because = yes.filter((q) => (catalog.rules.implies[q] ?? []).includes(p));
      clarifications.push({ code: 'implied', prereq: p, because });
    }
  }
  const metList = MERCHANT_PREREQS.filter((p) => met.has(p));
  const unknown = MERCHANT_PREREQS.filter((p) => !met.has(p) && !no.has(p));
  const level = levelFor(catalog, met);
  return {
    met: metList,
    unknown,
    level,
    levelLabel: maturityLabel(catalog, level),
    clarifications,
  };
}
