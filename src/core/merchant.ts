/**
 * Merchant self-diagnostic (SPEC §4): from yes / no / unknown answers on P1–P4 to the
 * prerequisites met, a maturity level and advice. The level is our reading of the guide's
 * prerequisites, and every text says so.
 */
import type { Catalog, MaturityLevel, MerchantPrereq } from '../../catalog/schema.js';
import { MATURITY_LEVELS } from '../../catalog/schema.js';
import { MERCHANT_PREREQS, maturityLabel, prereqLabel, readingLabel } from './labels.js';

/** One answer to a yes/no maturity question; « je ne sais pas » is `unknown`. */
export type Answer = 'yes' | 'no' | 'unknown';

/** The four merchant answers; a missing one counts as unknown. */
export type MerchantAnswers = Partial<Record<MerchantPrereq, Answer>>;

/** What the self-diagnostic concludes. */
export interface MerchantAssessment {
  /** Prerequisites met, after implications (P2–P4 ⇒ P1), in P1–P4 order. */
  met: MerchantPrereq[];
  /** Prerequisites neither met nor answered « non » (unknown or not answered). */
  unknown: MerchantPrereq[];
  level: MaturityLevel;
  /** « très faible », « faible »… */
  levelLabel: string;
  /** One French sentence saying the level is our reading of the guide's prerequisites. */
  explanation: string;
  /** How to find out, one line per unknown prerequisite. */
  advice: string[];
  /** Answers we read differently from what was given (contradiction or unreadable value). */
  clarifications: string[];
}

/** How a merchant can find out whether they meet a prerequisite (our words, not the guide's). */
const HOW_TO_FIND_OUT: Record<MerchantPrereq, string> = {
  P1: 'avez-vous déjà suivi une formation ou un atelier sur le numérique, ou utilisez-vous des outils numériques pour votre commerce ? Si oui, c’est acquis.',
  P2: 'tenez-vous un fichier clients, faites-vous des promotions ou de la communication pour votre commerce ? Si oui, c’est acquis.',
  P3: 'cherchez votre commerce sur Google et sur les réseaux sociaux : une fiche à jour et une page que vous animez, c’est une présence active.',
  P4: 'votre caisse, vos stocks ou vos commandes sont-ils suivis sur ordinateur ou tablette ? Si oui, vos processus sont numérisés.',
};

const ANSWERS: readonly string[] = ['yes', 'no', 'unknown'];

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
 * reading) and come with advice; unreadable values are treated as unknown and reported.
 */
export function assessMerchant(catalog: Catalog, answers: MerchantAnswers): MerchantAssessment {
  const given: Record<string, unknown> =
    answers !== null && typeof answers === 'object' ? (answers as Record<string, unknown>) : {};
  const clarifications: string[] = [];
  const yes: MerchantPrereq[] = [];
  const no = new Set<MerchantPrereq>();
  for (const p of MERCHANT_PREREQS) {
    const a = given[p];
    if (a === 'yes') yes.push(p);
    else if (a === 'no') no.add(p);
    else if (a !== undefined && !(typeof a === 'string' && ANSWERS.includes(a))) {
      clarifications.push(
        `Réponse non reconnue pour « ${prereqLabel(catalog, p)} » : nous la comptons comme « je ne sais pas ».`,
      );
    }
  }
  for (const key of Object.keys(given)) {
    if (!MERCHANT_PREREQS.includes(key as MerchantPrereq))
      clarifications.push(`Question inconnue « ${key.slice(0, 40)} » : elle est ignorée.`);
  }
  const met = closeImplications(catalog, yes);
  for (const p of no) {
    if (met.has(p)) {
      const because = yes.filter((q) => (catalog.rules.implies[q] ?? []).includes(p));
      clarifications.push(
        `Vous avez répondu non à « ${prereqLabel(catalog, p)} », mais oui à « ${because
          .map((q) => prereqLabel(catalog, q))
          .join(
            ' », « ',
          )} », qui le suppose (${readingLabel(catalog, 'implies')}) : nous le comptons comme acquis.`,
      );
    }
  }
  const metList = MERCHANT_PREREQS.filter((p) => met.has(p));
  const unknown = MERCHANT_PREREQS.filter((p) => !met.has(p) && !no.has(p));
  const level = levelFor(catalog, met);
  const levelLabel = maturityLabel(catalog, level);
  const basis =
    metList.length === 0
      ? 'aucun prérequis du guide n’est acquis pour l’instant'
      : `prérequis acquis : ${metList.map((p) => prereqLabel(catalog, p)).join(', ')}`;
  const explanation = `Votre niveau numérique estimé est « ${levelLabel} » (${basis}) : c’est notre lecture des prérequis du guide, pas une note officielle.`;
  const advice = unknown.map(
    (p) => `Pour savoir si vous remplissez « ${prereqLabel(catalog, p)} » : ${HOW_TO_FIND_OUT[p]}`,
  );
  if (unknown.length > 0)
    advice.push('Votre CCI ou votre CMA peut aussi faire ce point avec vous.');
  return { met: metList, unknown, level, levelLabel, explanation, advice, clarifications };
}
