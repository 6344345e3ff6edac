/**
 * Every French sentence of the territory diagnostic, in one place: the core's codes (bilan
 * summaries, lines, reasons, clarifications) worded, one table per kind of code, and the fixed
 * sentences of the territory presenter. A wording change is a one-line edit here; the tests
 * quote these. Figures come from the codes' data, labels from the catalog.
 */
import type { Catalog, Roadmap, RoadmapId } from '../../../catalog/schema.js';
import type { ResultView } from '../../../flows/types.js';
import type {
  Bilan,
  BilanLine,
  BilanStatus,
  BilanSummary,
  TerritoryClarification,
  TerritoryFicheDecision,
  TerritoryReason,
} from '../../core/index.js';
import { formatShare, readingLabel } from '../../core/index.js';
import { lowerFirst } from '../../core/labels.js';

/** Statuses as the user reads them. */
export const BILAN_STATUS_TEXT: Readonly<Record<BilanStatus, string>> = {
  valide: 'validé',
  insuffisant: 'à renforcer',
  'pas-encore': 'pas encore',
  inconnu: 'à établir',
  'a-completer': 'à compléter',
  pret: 'prêt',
};

/** Each roadmap's name in a bilan title (« Bilan « commerçant individuel » : … »). */
export const BILAN_TITLE: Readonly<Record<RoadmapId, string>> = {
  individuel: 'commerçant individuel',
  collectif: 'collectif',
  'centre-ville': 'centre-ville',
};

// === Lookups in the catalog

function roadmapOf(catalog: Catalog, id: RoadmapId): Roadmap | undefined {
  return catalog.roadmaps.find((r) => r.id === id);
}

/** A question's short name (« Fiche Google à jour »), or its id. */
function short(catalog: Catalog, roadmap: RoadmapId, question: string): string {
  return roadmapOf(catalog, roadmap)?.questions.find((q) => q.id === question)?.short ?? question;
}

/** « étape (moyens ; moyens) » of a roadmap step. */
function stepOf(catalog: Catalog, roadmap: RoadmapId, number: number) {
  return roadmapOf(catalog, roadmap)?.steps.find((s) => s.number === number);
}

const shortLow = (catalog: Catalog, question: string) =>
  lowerFirst(short(catalog, 'individuel', question));
const stocksText = (stocks: number) => `${formatShare(stocks)} de stocks informatisés`;

// === Bilans

type ByCode<U extends { code: string }, R> = {
  readonly [K in U['code']]: (catalog: Catalog, x: Extract<U, { code: K }>) => R;
};

const SUMMARY: ByCode<BilanSummary, string> = {
  'web-valide': (_, s) =>
    `Au moins ${formatShare(s.threshold)} de commerçants actifs sur le web : l’offre numérique des commerçants est gérée, les étapes suivantes sont possibles.`,
  'web-insuffisant': (_, s) =>
    `Moins de ${formatShare(s.threshold)} de commerçants actifs sur le web : le guide juge l’offre « insuffisamment gérée », formez et accompagnez d’abord (formation, coaching).`,
  'web-unknown': (c) =>
    `La part de commerçants actifs sur le web (${readingLabel(c, 'web-active-share')} : la plus élevée des parts ${shortLow(c, 'reseaux-sociaux')} et ${shortLow(c, 'fiche-google')}) reste à connaître pour conclure.`,
  'collectif-not-yet': (_, s) =>
    `Pas encore : le volet collectif vient une fois le bilan individuel validé (au moins ${formatShare(s.threshold)} de commerçants actifs sur le web ; ${s.web !== undefined ? `aujourd’hui ${formatShare(s.web)}` : 'cette part n’est pas encore connue'}).`,
  'stocks-unknown': () =>
    'Le volet collectif peut être mis en œuvre ; la part des commerçants avec une gestion des stocks informatisée dira s’il faut viser une place de marché ou un site vitrine.',
  'site-vitrine': (_, s) =>
    `Volet collectif possible : avec ${formatShare(s.stocks)} de commerçants aux stocks informatisés, privilégiez un site « vitrine » plutôt qu’une place de marché.`,
  'listing-first': (_, s) =>
    `Volet collectif possible : ${formatShare(s.stocks)} de commerçants aux stocks informatisés, mais seulement ${formatShare(s.listing)} avec une fiche Google à jour : avant une place de marché, le guide veut la majorité des commerçants bien référencés.`,
  'place-de-marche': (_, s) =>
    `Volet collectif possible : avec ${formatShare(s.stocks)} de commerçants aux stocks informatisés, l’étape « place de marché » peut être envisagée.`,
  'public-gaps': (_, s) =>
    `La sphère publique est encore peu numérisée sur ${s.no} point${s.no > 1 ? 's' : ''} sur ${s.total} : chaque « non » indique une solution de centre-ville à étudier.`,
  'public-unknown': () => 'Le niveau de numérisation de la sphère publique reste à établir.',
  'public-to-check': () =>
    'Pas de manque relevé pour l’instant ; quelques réponses restent à vérifier.',
  'public-ready': (_, s) =>
    s.merchantSide
      ? 'La collectivité est prête : la brique « commerçants » peut s’intégrer, les étapes côté commerçants peuvent suivre.'
      : 'La collectivité est prête ; la brique « commerçants » s’intégrera dès que le bilan individuel sera validé.',
};

/** The bilan in a few words, for the one-line recap of the final summary. */
const HEADLINE: ByCode<BilanSummary, string> = {
  'web-valide': (_, s) =>
    `${formatShare(s.web)} des commerçants actifs sur le web (seuil du guide : ${formatShare(s.threshold)})`,
  'web-insuffisant': (c, s) => HEADLINE['web-valide'](c, { ...s, code: 'web-valide' }),
  'web-unknown': () => 'part des commerçants actifs sur le web à connaître',
  'collectif-not-yet': () => 'il vient une fois le bilan individuel validé',
  'stocks-unknown': () => 'part des stocks informatisés à connaître',
  'site-vitrine': (_, s) => `${stocksText(s.stocks)} : un site « vitrine » d’abord`,
  'listing-first': (_, s) =>
    `${stocksText(s.stocks)}, mais ${formatShare(s.listing)} de fiches Google à jour : le référencement d’abord`,
  'place-de-marche': (_, s) => `${stocksText(s.stocks)} : une place de marché peut être envisagée`,
  'public-gaps': (_, s) => `${s.no} « non » sur ${s.total} questions`,
  'public-unknown': () => 'des réponses restent à vérifier',
  'public-to-check': () => 'des réponses restent à vérifier',
  'public-ready': (_, s) => `« oui » aux ${s.total} questions`,
};

const LINE: ByCode<BilanLine, string> = {
  'web-active': (c, l) =>
    `${formatShare(l.web)} de commerçants actifs sur le web (${readingLabel(c, 'web-active-share')} : la plus élevée des deux parts, ${shortLow(c, 'reseaux-sociaux')} ${formatShare(l.social)} et ${shortLow(c, 'fiche-google')} ${formatShare(l.listing)})`,
  'web-active-at-least': (c, l) =>
    `Au moins ${formatShare(l.known)} de commerçants actifs sur le web (${shortLow(c, l.question)} ${formatShare(l.known)} ; ${shortLow(c, l.other)} : inconnu)`,
  share: (c, l) => `${short(c, l.roadmap, l.question)} : ${formatShare(l.value)}`,
  choice: (c, l) => {
    const q = roadmapOf(c, l.roadmap)?.questions.find((x) => x.id === l.question);
    const option =
      q?.kind === 'choice' ? q.options.find((o) => o.id === l.option)?.label : undefined;
    return `${q?.short ?? l.question} : ${option ?? l.option}`;
  },
  'stock-high': (c, l) =>
    `Gestion des stocks informatisée « forte » à partir de ${formatShare(l.threshold)} (${readingLabel(c, 'stock-high')}).`,
  yes: (c, l) => `Oui : ${l.questions.map((q) => short(c, 'centre-ville', q)).join(', ')}`,
  'web-gap': (_, l) =>
    `Il manque ${formatShare(l.gap)} de commerçants actifs sur le web pour atteindre le seuil du guide (${formatShare(l.threshold)}).`,
  'listing-gap': (_, l) =>
    `${formatShare(l.gap)} de commerçants restent à amener à une fiche Google à jour (objectif du guide : ${formatShare(l.target)}).`,
  'stock-gap': (c, l) =>
    `Il manque ${formatShare(l.gap)} de commerçants avec une gestion des stocks informatisée pour envisager une place de marché (${formatShare(l.threshold)}, ${readingLabel(c, 'stock-high')}).`,
  'public-no': (c, l) => {
    const fiche = l.fiche ? c.fiches.find((f) => f.id === l.fiche) : undefined;
    const q = short(c, 'centre-ville', l.question);
    return fiche
      ? `${q} : non — « ${fiche.title} » y répond (${readingLabel(c, 'centre-ville-gaps')}).`
      : `${q} : non.`;
  },
  'find-out': (c, l) => {
    const step = roadmapOf(c, l.roadmap)?.steps[0];
    const how = step ? ` : ${lowerFirst(step.title)} (${step.means.join(' ; ')})` : '';
    const unknown = l.questions.map((q) => lowerFirst(short(c, l.roadmap, q)));
    return `Encore inconnu : ${unknown.join(', ')}. Pour le savoir${how}.`;
  },
  'coaching-first': (c, l) => {
    const step = stepOf(c, l.roadmap, l.step);
    return `Avant toute étape suivante : ${step?.title ?? ''} (${step?.means.join(' ; ') ?? ''}).`;
  },
  'individuel-first': (_, l) =>
    `Travaillez d’abord la présence en ligne de chaque commerçant : le guide ne lance le volet collectif qu’une fois la solution individuelle validée (${formatShare(l.threshold)}).`,
  'association-weak': (c, l) => {
    const step = stepOf(c, l.roadmap, l.step);
    return `Association peu structurée : ${lowerFirst(step?.title ?? '')} (${step?.means.join(' ; ') ?? ''}).`;
  },
};

function byCode<U extends { code: string }, R>(table: ByCode<U, R>, catalog: Catalog, x: U): R {
  return (table[x.code as U['code']] as (c: Catalog, x: U) => R)(catalog, x);
}

/** What a bilan means, in one line. */
export function bilanSummaryText(catalog: Catalog, b: Bilan): string {
  return byCode(SUMMARY, catalog, b.summary);
}

/** A bilan in a few words (« 45 % des commerçants actifs sur le web (seuil du guide : 60 %) »). */
export function bilanHeadlineText(catalog: Catalog, b: Bilan): string {
  return byCode(HEADLINE, catalog, b.summary);
}

/** One figure, gap or advice line of a bilan. */
export function bilanLineText(catalog: Catalog, line: BilanLine): string {
  return byCode(LINE, catalog, line);
}

/** A bilan's lines in order: figures, gaps, then advice (unless left out). */
export function bilanLinesText(catalog: Catalog, b: Bilan, withAdvice = true): string[] {
  return [...b.figures, ...b.gaps, ...(withAdvice ? b.advice : [])].map((l) =>
    bilanLineText(catalog, l),
  );
}

/** An answer that looks inconsistent, with what to check. */
export function clarificationText(catalog: Catalog, c: TerritoryClarification): string {
  return `« ${short(catalog, 'individuel', c.question)} » (${formatShare(c.value)}) dépasse « ${short(catalog, 'individuel', 'connectes')} » (${formatShare(c.connected)}) : vérifiez ces deux chiffres.`;
}

// === Push and postpone

type ReasonKind = TerritoryReason['kind'];
type ByKind = {
  readonly [K in ReasonKind]: (
    catalog: Catalog,
    r: Extract<TerritoryReason, { kind: K }>,
  ) => string;
};

/** Why a postponed fiche waits, without the « Plus tard / Pas encore : » in front. */
const LATER: Partial<ByKind> = {
  'marketplace-waits': (c, r) =>
    `${formatShare(r.listing)} des commerçants ont une fiche Google à jour, et le guide veut la majorité bien référencés avant une place de marché (${readingLabel(c, 'marketplace-listing')}).`,
  'marketplace-later': (_, r) =>
    `la gestion des stocks informatisée n’est pas encore assez répandue (${stocksText(r.stocks)}).`,
};

const REASON: ByKind = {
  'train-first': (_, r) =>
    `${formatShare(r.web)} de commerçants actifs sur le web, sous le seuil de ${formatShare(r.threshold)} : le guide demande de former et d’accompagner d’abord.`,
  'simple-first': (_, r) =>
    `Part de commerçants actifs sur le web encore inconnue ou sous ${formatShare(r.threshold)} : commencez par les solutions simples, formation et accompagnement.`,
  blocked: (c) =>
    `À reporter (${readingLabel(c, 'order-rule')}) : ${lowerFirst(c.rules.orderRule.reason)}`,
  'marketplace-waits': (c, r) => `Pas encore : ${LATER['marketplace-waits']?.(c, r)}`,
  'raise-listing': (_, r) =>
    `Porter la part de fiches Google à jour au-delà de ${formatShare(r.majority)} (aujourd’hui ${formatShare(r.listing)}) avant une place de marché.`,
  'marketplace-possible': (c, r) =>
    `Place de marché envisageable : ${stocksText(r.stocks)}, au-delà de ${formatShare(r.threshold)} (${readingLabel(c, 'stock-high')}).`,
  'vitrine-first': (_, r) =>
    `Le site « vitrine » d’abord : ${stocksText(r.stocks)}, c’est peu pour vendre ensemble en ligne.`,
  'marketplace-later': (c, r) => `Plus tard : ${LATER['marketplace-later']?.(c, r)}`,
  'public-no': (c, r) => {
    const gap = c.rules.centreVilleGaps[r.question];
    return `« ${short(c, 'centre-ville', r.question)} » : non. ${gap?.why ?? ''} (${readingLabel(c, 'centre-ville-gaps')})`;
  },
};

function reasonText(catalog: Catalog, r: TerritoryReason): string {
  return (REASON[r.kind] as (c: Catalog, r: TerritoryReason) => string)(catalog, r);
}

/** Why the bilan pushes or postpones a fiche: each of its reasons, in order. */
export function decisionText(catalog: Catalog, d: TerritoryFicheDecision): string {
  return d.reasons.map((r) => reasonText(catalog, r)).join(' ');
}

/** The first thing to launch, in a few words by the decision's code. */
export function launchWhyText(catalog: Catalog, d: TerritoryFicheDecision): string {
  switch (d.code) {
    case 'order-rule':
      return 'c’est par là que le guide demande de commencer (former et accompagner).';
    case 'centre-ville-gap':
      return `elle répond à un « non » du volet centre-ville (${readingLabel(catalog, 'centre-ville-gaps')}).`;
    default:
      return lowerFirst(decisionText(catalog, d));
  }
}

/** Why postponed fiches wait, once per code. */
export function laterWhyText(catalog: Catalog, d: TerritoryFicheDecision): string {
  if (d.code === 'order-rule')
    return `tant que moins de ${formatShare(catalog.rules.thresholds.individuelWebActive)} des commerçants sont actifs sur le web (${readingLabel(catalog, 'order-rule')}).`;
  const r = d.reasons[0];
  const later = r
    ? (LATER[r.kind] as ((c: Catalog, r: TerritoryReason) => string) | undefined)
    : undefined;
  return later && r ? later(catalog, r) : decisionText(catalog, d);
}

// === The presenter's fixed sentences

/** The buttons of the territory result's parts. */
export const VIEW_LABEL: Readonly<Record<ResultView, string>> = {
  individuel: 'Feuille de route : commerçants',
  collectif: 'Feuille de route : collectif',
  'centre-ville': 'Feuille de route : centre-ville',
  launch: 'Les fiches à lancer',
  funding: 'Financements',
};

export const TERRITORY_TEXT = {
  contactsButton: 'Contacts',
  summaryTitle: 'Votre diagnostic en bref',
  launchFirst: 'À lancer d’abord : ',
  launchTitle: 'À lancer d’abord',
  later: 'Plus tard : ',
  starLegend: '★ = étape indispensable au succès du plan.',
  nextStepMark: ' ← prochaine étape : ',
  factorsTitle: 'Les 6 facteurs clés de succès du guide',
} as const;

/** « Bilan « collectif » : validé. » */
export const bilanTitle = (b: Bilan) =>
  `Bilan « ${BILAN_TITLE[b.roadmap]} » : ${BILAN_STATUS_TEXT[b.status]}.`;

/** The bilan could not be established (bad answers): the core's reason. */
export const bilanErrorText = (message: string) => `Je n’ai pas pu établir le bilan : ${message}`;

/** Why the collectif part is not offered below the threshold. */
export const collectifClosedText = (threshold: number) =>
  `Le volet collectif n’est pas proposé pour l’instant : le guide le lance une fois au moins ${formatShare(threshold)} des commerçants actifs sur le web.`;

/** Where the individuel shares came from when the observatory gave them (issue 9). */
export const prefilledText = (p: { town: string; respondents: number }) =>
  `Parts « commerçant individuel » déclarées par les ${p.respondents} commerçants de ${p.town} qui ont fait leur autodiagnostic (pas un recensement) : « présents sur le web » vaut pour les réseaux sociaux comme pour la fiche Google, « sensibilisés au numérique » pour « connectés à internet ».`;

/** « Prochaine étape ★ : » */
export const nextStepTitle = (star: boolean) => `Prochaine étape${star ? ' ★' : ''} : `;

/** « (feuille de route « collectif », étape 2). » */
export const nextStepWhere = (roadmap: RoadmapId, step: number) =>
  ` (feuille de route « ${BILAN_TITLE[roadmap]} », étape ${step}).`;

/** « Votre contact Banque des Territoires Bretagne : » */
export const contactLead = (name: string) => `Votre contact Banque des Territoires ${name} : `;

/** No regional contact known: where the contacts are and how to get one's own. */
export const contactsInGuideText = (page: string) =>
  `Les contacts régionaux de la Banque des Territoires sont dans le guide (${page}) ; écrivez « contact » et votre région pour avoir le vôtre.`;

/** « Feuille de route — <titre> » */
export const roadmapTitle = (title: string) => `Feuille de route — ${title}`;
