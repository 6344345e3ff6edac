/**
 * The French of the recommendations: why a fiche is where it is (the core's `why` code and its
 * data, one entry per code), the first step, the order rule, and the general notes.
 */
import type { Catalog, MerchantPrereq } from '../../../catalog/schema.js';
import {
  maturityLabel,
  pageRef,
  prereqLabel,
  type RecommendationItem,
  type RecommendationNote,
  readingLabel,
  type Why,
} from '../../core/index.js';
import { lowerFirst } from '../../core/labels.js';

/** « vous êtes sensibilisé(e) au numérique »: what a met prerequisite says to the merchant. */
function youHave(catalog: Catalog, p: MerchantPrereq): string {
  const entry = catalog.guide.prerequisites.find((x) => x.code === p);
  return entry?.you ?? `vous remplissez « ${prereqLabel(catalog, p)} »`;
}

/** The most telling of what he has: the prerequisites not implied by another one, two at most. */
function have(catalog: Catalog, ps: readonly MerchantPrereq[]): string {
  const implied = new Set(ps.flatMap((p) => catalog.rules.implies[p] ?? []));
  const shown = ps.filter((p) => !implied.has(p)).slice(-2);
  return shown.map((p) => youHave(catalog, p)).join(' et ');
}

/** « ; pour y arriver : « Titre » » when the core gave the way there. */
function wayText(catalog: Catalog, item: RecommendationItem): string {
  const start = item.path ? catalog.fiches.find((f) => f.id === item.path) : undefined;
  return start ? ` ; pour y arriver : « ${start.title} »` : '';
}

/** With no merchant profile: the impact that matters to the audience, and the level. */
function neutral(catalog: Catalog, item: RecommendationItem): string {
  const f = item.fiche;
  const level = `maturité numérique requise : « ${maturityLabel(catalog, f.maturity)} »`;
  if (!item.impact) return `${level.charAt(0).toLocaleUpperCase('fr')}${level.slice(1)}.`;
  const label = catalog.guide.impacts.find((i) => i.key === item.impact)?.label ?? item.impact;
  return `Pour son impact « ${label.toLocaleLowerCase('fr')} » (${f.impacts[item.impact]} dans le guide) ; ${level}.`;
}

type ByWhy = {
  readonly [K in Why['code']]: (
    catalog: Catalog,
    why: Extract<Why, { code: K }>,
    item: RecommendationItem,
  ) => string;
};

const WHY: ByWhy = {
  open: () => 'Accessible : elle ne demande aucun prérequis au commerçant.',
  met: (c, why) => `Accessible : ${have(c, why.met)}.`,
  builds: (c, why) => {
    const parts: string[] = [];
    if (why.met.length > 0) parts.push(have(c, why.met));
    const gives = why.gives.map((p) => `« ${prereqLabel(c, p)} »`).join(', ');
    if (gives)
      parts.push(
        `elle vous apporte elle-même ${gives}, que le guide demande (${readingLabel(c, 'builders')})`,
      );
    if (why.to)
      parts.push(
        `elle vous amène au niveau « ${maturityLabel(c, why.to)} » qu’elle demande (${readingLabel(c, 'merchant-level')})`,
      );
    return `Accessible : ${parts.join(' ; ')}.`;
  },
  missing: (c, _, item) => {
    const labels = item.missing
      .map((x) => `« ${x.label} »${x.unknown ? ' (à vérifier)' : ''}`)
      .join(', ');
    return `Pour plus tard : il vous manque ${labels}${wayText(c, item)}.`;
  },
  level: (c, why, item) =>
    `Pour plus tard : le guide la situe au niveau « ${maturityLabel(c, why.need)} », le vôtre est « ${maturityLabel(c, why.have)} » (${readingLabel(c, 'merchant-level')})${wayText(c, item)}.`,
  neutral: (c, _, item) => neutral(c, item),
  pushed: (c, _, item) => neutral(c, item),
  postponed: (c, _, item) => neutral(c, item),
};

/** Said before the reason of a fiche the commune carries out, to a merchant. */
export const RUN_BY_TOWN_PREFIX = 'Portée par la commune — ';

/** Why a fiche is where it is, in one line: never empty. */
export function reasonText(catalog: Catalog, item: RecommendationItem): string {
  if (item.unlocks)
    return `Elle vous amène à « ${prereqLabel(catalog, item.unlocks.prereq)} », ce qui vous fait passer au niveau « ${maturityLabel(catalog, item.unlocks.to)} » (${readingLabel(catalog, 'merchant-level')}).`;
  if (item.orderRuleFirst) return `D’abord : ${lowerFirst(catalog.rules.orderRule.reason)}`;
  const why = (WHY[item.why.code] as (c: Catalog, w: Why, i: RecommendationItem) => string)(
    catalog,
    item.why,
    item,
  );
  return item.runByTown ? `${RUN_BY_TOWN_PREFIX}${why}` : why;
}

/** A general note of the recommendation. */
export function noteText(catalog: Catalog, note: RecommendationNote): string {
  switch (note.code) {
    case 'order-rule':
      return `${catalog.rules.orderRule.reason} (${pageRef(catalog, catalog.rules.orderRule.page)})`;
    case 'unknown-sector':
      return 'Secteur non reconnu : il n’est pas pris en compte.';
    case 'none-reachable':
      return `Aucune de ces solutions n’est encore à votre portée : commencez par « ${catalog.fiches.find((f) => f.id === note.fiche)?.title ?? note.fiche} ».`;
  }
}
