/**
 * Territory diagnostic (SPEC §4, guide pp. 39–42): the three roadmaps' maturity questions →
 * one bilan per roadmap, the roadmap steps with ★ and the next step(s), and the fiches to push
 * or to postpone. Thresholds and mappings come from `catalog.rules`; texts from the roadmaps.
 */
import type {
  Catalog,
  Fiche,
  ObjectiveId,
  Roadmap,
  RoadmapId,
  RoadmapQuestion,
} from '../../catalog/schema.js';
import {
  ficheById,
  formatShare,
  lowerFirst,
  maturityIndex,
  pointsGap,
  readingLabel,
} from './labels.js';
import type { Answer } from './merchant.js';
import { type CoreErrorCode, err, ok, type Result } from './result.js';

/** A share of merchants, 0–100, or « je ne sais pas ». */
export type Share = number | 'unknown';

/** How structured the merchants' association is (collectif roadmap, choice question). */
export type Structuration = 'faible' | 'moyenne' | 'forte' | 'unknown';

/** Answers to the guide's maturity questions, per roadmap; a missing answer is unknown. */
export interface TerritoryAnswers {
  individuel?: { connectes?: Share; 'reseaux-sociaux'?: Share; 'fiche-google'?: Share };
  collectif?: {
    'stocks-informatises'?: Share;
    'adherents-association'?: Share;
    'structuration-association'?: Structuration;
  };
  centreVille?: Partial<
    Record<
      | 'service-communication'
      | 'services-publics-en-ligne'
      | 'praticiens-reservation'
      | 'parkings-temps-reel',
      Answer
    >
  >;
}

/**
 * Bilan outcomes. `valide`: the guide's condition holds · `insuffisant`: it does not (« à
 * renforcer ») · `pas-encore`: comes after another roadmap · `inconnu`: nothing known ·
 * `a-completer`: the deciding answer is unknown · `pret`: centre-ville, all four « oui ».
 */
export type BilanStatus =
  | 'valide'
  | 'insuffisant'
  | 'pas-encore'
  | 'inconnu'
  | 'a-completer'
  | 'pret';

/** One roadmap's bilan, ready to be shown. */
export interface Bilan {
  roadmap: RoadmapId;
  status: BilanStatus;
  statusLabel: string;
  /** One line that says what the bilan means (always filled). */
  summary: string;
  /** The bilan in a few words, for a one-line recap (« 45 % actifs sur le web, seuil : 60 % »). */
  headline: string;
  /** The guide's rule, in our words (from the roadmap data). */
  rule: string;
  /** What triggered the status. */
  figures: string[];
  /** Gap to the guide's targets. */
  gaps: string[];
  /** individuel: the larger of « réseaux sociaux » and « fiche Google » (at least, if one is unknown). */
  webActiveShare?: number;
  /** individuel: the « fiche Google à jour » share, which decides the marketplace caution. */
  listingShare?: number;
  /** collectif, when decided: marketplace step possible, or « site vitrine » to favour. */
  collectifPath?: 'place-de-marche' | 'site-vitrine';
  /** centre-ville `pret`: whether the merchant-side steps can follow (individuel validated). */
  merchantSideReady?: boolean;
  /** How to find out what is unknown, or what the guide asks to do first. */
  advice: string[];
}

/** A roadmap step as shown: ★ for « étape indispensable », `next` for the step(s) to do now. */
export interface RoadmapStepView {
  roadmap: RoadmapId;
  number: number;
  title: string;
  means: string[];
  star: boolean;
  next: boolean;
}

/** Everything the territory diagnostic concludes. */
export interface TerritoryAssessment {
  /** One per roadmap that has answers; individuel always first. */
  bilans: Bilan[];
  roadmaps: { roadmap: RoadmapId; title: string; steps: RoadmapStepView[] }[];
  push: TerritoryFicheDecision[];
  postpone: TerritoryFicheDecision[];
  /** True when the collectif part should not be offered yet (individuel not validated). */
  collectifNotYet: boolean;
  /** True while the individuel bilan is not validated: no `fort` fiche may come first. */
  orderRuleActive: boolean;
  /** Answers that look inconsistent; the assessment still goes on. */
  clarifications: string[];
}

/**
 * Why the bilan pushes or postpones a fiche, as a code presenters can group by: `order-rule`
 * (individuel below the threshold: train first, or no `fort` fiche yet), `collectif-path`
 * (stock share: marketplace or site vitrine), `listing-first` (before a place de marché, most
 * merchants referenced: the Google share), `centre-ville-gap` (a « non » to a centre-ville
 * question).
 */
export type TerritoryReasonCode =
  | 'order-rule'
  | 'collectif-path'
  | 'listing-first'
  | 'centre-ville-gap';

/** A fiche the bilan pushes or postpones, with its code and one French line. */
export interface TerritoryFicheDecision {
  fiche: string;
  code: TerritoryReasonCode;
  reason: string;
}

/** Statuses as the user reads them. */
export const BILAN_STATUS_LABELS: Record<BilanStatus, string> = {
  valide: 'validé',
  insuffisant: 'à renforcer',
  'pas-encore': 'pas encore',
  inconnu: 'à établir',
  'a-completer': 'à compléter',
  pret: 'prêt',
};

/** The roadmaps in the guide's order, with the key each uses in `TerritoryAnswers`. */
const SECTIONS: readonly { key: keyof TerritoryAnswers; roadmap: RoadmapId }[] = [
  { key: 'individuel', roadmap: 'individuel' },
  { key: 'collectif', roadmap: 'collectif' },
  { key: 'centreVille', roadmap: 'centre-ville' },
];

type Value = number | string | undefined; // undefined = unknown
interface Parsed {
  values: Record<RoadmapId, Map<string, Value>>;
  answered: Record<RoadmapId, boolean>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `« ${v.slice(0, 40)} »`;
  return typeof v;
}

function parseValue(q: RoadmapQuestion, v: unknown): Result<Value> {
  if (v === undefined || v === 'unknown') return ok(undefined);
  const fail = (code: CoreErrorCode, message: string) => err<Value>(code, message);
  if (q.kind === 'share') {
    if (typeof v === 'number') {
      if (Number.isFinite(v) && v >= 0 && v <= 100) return ok(v);
      return fail(
        'SHARE_OUT_OF_RANGE',
        `La part pour « ${q.short} » doit être comprise entre 0 et 100 % (reçu : ${describe(v)}).`,
      );
    }
    return fail(
      'INVALID_ANSWER',
      `La part pour « ${q.short} » doit être un nombre de 0 à 100 ou « je ne sais pas » (reçu : ${describe(v)}).`,
    );
  }
  if (q.kind === 'yesno') {
    if (v === 'yes' || v === 'no') return ok(v);
    return fail(
      'INVALID_ANSWER',
      `Pour « ${q.short} », répondez oui, non ou je ne sais pas (reçu : ${describe(v)}).`,
    );
  }
  if (typeof v === 'string' && q.options.some((o) => o.id === v)) return ok(v);
  return fail(
    'INVALID_CHOICE',
    `Pour « ${q.short} », choisissez parmi : ${q.options.map((o) => o.label).join(', ')} (reçu : ${describe(v)}).`,
  );
}

function parseAnswers(catalog: Catalog, input: unknown): Result<Parsed> {
  const parsed: Parsed = {
    values: { individuel: new Map(), collectif: new Map(), 'centre-ville': new Map() },
    answered: { individuel: false, collectif: false, 'centre-ville': false },
  };
  if (input === undefined || input === null) return ok(parsed);
  if (!isPlainObject(input))
    return err('INVALID_INPUT', 'Les réponses du diagnostic du territoire sont illisibles.');
  for (const key of Object.keys(input)) {
    const section = SECTIONS.find((s) => s.key === key);
    if (!section)
      return err('UNKNOWN_ROADMAP', `Feuille de route inconnue : « ${key.slice(0, 40)} ».`);
    const given = input[key];
    if (given === undefined) continue;
    if (!isPlainObject(given))
      return err('INVALID_INPUT', `Les réponses « ${section.roadmap} » sont illisibles.`);
    const roadmap = catalog.roadmaps.find((r) => r.id === section.roadmap);
    if (!roadmap)
      return err(
        'CATALOG_INCOMPLETE',
        `La feuille de route « ${section.roadmap} » manque au catalogue.`,
      );
    for (const [qid, v] of Object.entries(given)) {
      const q = roadmap.questions.find((x) => x.id === qid);
      if (!q)
        return err(
          'UNKNOWN_QUESTION',
          `Question inconnue pour la feuille de route « ${section.roadmap} » : « ${qid.slice(0, 40)} ».`,
        );
      const r = parseValue(q, v);
      if (!r.ok) return r;
      parsed.values[section.roadmap].set(qid, r.value);
      parsed.answered[section.roadmap] = true;
    }
  }
  return ok(parsed);
}

// === Bilans

interface Ctx {
  catalog: Catalog;
  parsed: Parsed;
}

function roadmapOf(catalog: Catalog, id: RoadmapId): Roadmap | undefined {
  return catalog.roadmaps.find((r) => r.id === id);
}

function shareOf(ctx: Ctx, roadmap: RoadmapId, qid: string): number | undefined {
  const v = ctx.parsed.values[roadmap].get(qid);
  return typeof v === 'number' ? v : undefined;
}

function shortOf(roadmap: Roadmap, qid: string): string {
  return roadmap.questions.find((q) => q.id === qid)?.short ?? qid;
}

/** Shorts of the roadmap's questions left unknown. */
function unknownShorts(ctx: Ctx, roadmap: Roadmap): string[] {
  return roadmap.questions
    .filter((q) => ctx.parsed.values[roadmap.id].get(q.id) === undefined)
    .map((q) => lowerFirst(q.short));
}

/** « Pour le savoir : <step 1> (<moyens>). » — the roadmap's own first step. */
function findOutAdvice(roadmap: Roadmap, unknown: string[]): string[] {
  if (unknown.length === 0) return [];
  const step = roadmap.steps[0];
  const how = step ? ` : ${lowerFirst(step.title)} (${step.means.join(' ; ')})` : '';
  return [`Encore inconnu : ${unknown.join(', ')}. Pour le savoir${how}.`];
}

function bilan(
  roadmap: Roadmap,
  status: BilanStatus,
  summary: string,
  parts: Partial<Omit<Bilan, 'roadmap' | 'status' | 'statusLabel' | 'summary' | 'rule'>>,
): Bilan {
  return {
    roadmap: roadmap.id,
    status,
    statusLabel: BILAN_STATUS_LABELS[status],
    summary,
    headline: '',
    rule: roadmap.bilan.rule,
    figures: parts.figures ?? [],
    gaps: parts.gaps ?? [],
    advice: parts.advice ?? [],
    ...(parts.webActiveShare === undefined ? {} : { webActiveShare: parts.webActiveShare }),
    ...(parts.listingShare === undefined ? {} : { listingShare: parts.listingShare }),
    ...(parts.collectifPath === undefined ? {} : { collectifPath: parts.collectifPath }),
    ...(parts.merchantSideReady === undefined
      ? {}
      : { merchantSideReady: parts.merchantSideReady }),
  };
}

function individuelBilan(ctx: Ctx, roadmap: Roadmap): Bilan {
  const { rules } = ctx.catalog;
  const threshold = rules.thresholds.individuelWebActive;
  const target = rules.thresholds.listingTarget;
  const co = shareOf(ctx, 'individuel', 'connectes');
  const rs = shareOf(ctx, 'individuel', 'reseaux-sociaux');
  const fg = shareOf(ctx, 'individuel', 'fiche-google');
  const rsShort = lowerFirst(shortOf(roadmap, 'reseaux-sociaux'));
  const fgShort = lowerFirst(shortOf(roadmap, 'fiche-google'));
  const figures: string[] = [];
  const gaps: string[] = [];
  if (co !== undefined) figures.push(`${shortOf(roadmap, 'connectes')} : ${formatShare(co)}`);
  let status: BilanStatus;
  let web: number | undefined;
  let summary: string;
  if (rs !== undefined && fg !== undefined) {
    web = Math.max(rs, fg);
    figures.unshift(
      `${formatShare(web)} de commerçants actifs sur le web (${readingLabel(ctx.catalog, 'web-active-share')} : la plus élevée des deux parts, ${rsShort} ${formatShare(rs)} et ${fgShort} ${formatShare(fg)})`,
    );
    status = web >= threshold ? 'valide' : 'insuffisant';
  } else if (rs !== undefined || fg !== undefined) {
    const known = (rs ?? fg) as number;
    const knownShort = rs !== undefined ? rsShort : fgShort;
    const otherShort = rs !== undefined ? fgShort : rsShort;
    figures.unshift(
      `Au moins ${formatShare(known)} de commerçants actifs sur le web (${knownShort} ${formatShare(known)} ; ${otherShort} : inconnu)`,
    );
    if (known >= threshold) {
      web = known;
      status = 'valide';
    } else status = 'a-completer';
  } else status = co === undefined ? 'inconnu' : 'a-completer';

  if (status === 'valide')
    summary = `Au moins ${formatShare(threshold)} de commerçants actifs sur le web : l’offre numérique des commerçants est gérée, les étapes suivantes sont possibles.`;
  else if (status === 'insuffisant')
    summary = `Moins de ${formatShare(threshold)} de commerçants actifs sur le web : le guide juge l’offre « insuffisamment gérée », formez et accompagnez d’abord (formation, coaching).`;
  else
    summary = `La part de commerçants actifs sur le web (${readingLabel(ctx.catalog, 'web-active-share')} : la plus élevée des parts ${rsShort} et ${fgShort}) reste à connaître pour conclure.`;

  if (web !== undefined && web < threshold)
    gaps.push(
      `Il manque ${formatShare(pointsGap(threshold, web))} de commerçants actifs sur le web pour atteindre le seuil du guide (${formatShare(threshold)}).`,
    );
  if (fg !== undefined && fg < target)
    gaps.push(
      `${formatShare(pointsGap(target, fg))} de commerçants restent à amener à une fiche Google à jour (objectif du guide : ${formatShare(target)}).`,
    );
  const advice = findOutAdvice(roadmap, unknownShorts(ctx, roadmap));
  if (status === 'insuffisant') {
    const coaching = roadmap.steps.find((s) => s.star && s.number > 1);
    if (coaching)
      advice.push(
        `Avant toute étape suivante : ${coaching.title} (${coaching.means.join(' ; ')}).`,
      );
  }
  return bilan(roadmap, status, summary, {
    figures,
    gaps,
    advice,
    ...(web === undefined ? {} : { webActiveShare: web }),
    ...(fg === undefined ? {} : { listingShare: fg }),
  });
}

function collectifBilan(ctx: Ctx, roadmap: Roadmap, individuel: Bilan): Bilan {
  const { rules } = ctx.catalog;
  const high = rules.thresholds.collectifStockHigh;
  const stocks = shareOf(ctx, 'collectif', 'stocks-informatises');
  const adherents = shareOf(ctx, 'collectif', 'adherents-association');
  const structurationId = ctx.parsed.values.collectif.get('structuration-association');
  const figures: string[] = [];
  const gaps: string[] = [];
  const advice: string[] = [];
  if (stocks !== undefined)
    figures.push(`${shortOf(roadmap, 'stocks-informatises')} : ${formatShare(stocks)}`);
  if (adherents !== undefined)
    figures.push(`${shortOf(roadmap, 'adherents-association')} : ${formatShare(adherents)}`);
  const structQ = roadmap.questions.find((q) => q.id === 'structuration-association');
  if (typeof structurationId === 'string' && structQ) {
    const label =
      structQ.kind === 'choice'
        ? (structQ.options.find((o) => o.id === structurationId)?.label ?? structurationId)
        : structurationId;
    figures.push(`${structQ.short} : ${label}`);
  }
  const threshold = formatShare(rules.thresholds.individuelWebActive);
  if (individuel.status !== 'valide') {
    const now =
      individuel.webActiveShare !== undefined
        ? `aujourd’hui ${formatShare(individuel.webActiveShare)}`
        : 'cette part n’est pas encore connue';
    return bilan(
      roadmap,
      'pas-encore',
      `Pas encore : le volet collectif vient une fois le bilan individuel validé (au moins ${threshold} de commerçants actifs sur le web ; ${now}).`,
      {
        figures,
        advice: [
          `Travaillez d’abord la présence en ligne de chaque commerçant : le guide ne lance le volet collectif qu’une fois la solution individuelle validée (${threshold}).`,
        ],
      },
    );
  }
  advice.push(...findOutAdvice(roadmap, unknownShorts(ctx, roadmap)));
  const convention = readingLabel(ctx.catalog, 'stock-high');
  if (stocks === undefined)
    return bilan(
      roadmap,
      'a-completer',
      'Le volet collectif peut être mis en œuvre ; la part des commerçants avec une gestion des stocks informatisée dira s’il faut viser une place de marché ou un site vitrine.',
      { figures, advice },
    );
  const path = stocks >= high.value ? 'place-de-marche' : 'site-vitrine';
  if (path === 'site-vitrine')
    gaps.push(
      `Il manque ${formatShare(pointsGap(high.value, stocks))} de commerçants avec une gestion des stocks informatisée pour envisager une place de marché (${formatShare(high.value)}, ${convention}).`,
    );
  else
    figures.push(
      `Gestion des stocks informatisée « forte » à partir de ${formatShare(high.value)} (${convention}).`,
    );
  const majority = rules.thresholds.listingMajority;
  const listingLow =
    path === 'place-de-marche' &&
    individuel.listingShare !== undefined &&
    individuel.listingShare < majority;
  if (structurationId === 'faible') {
    const step1 = roadmap.steps[0];
    if (step1)
      advice.push(
        `Association peu structurée : ${lowerFirst(step1.title)} (${step1.means.join(' ; ')}).`,
      );
  }
  return bilan(
    roadmap,
    'valide',
    path === 'site-vitrine'
      ? `Volet collectif possible : avec ${formatShare(stocks)} de commerçants aux stocks informatisés, privilégiez un site « vitrine » plutôt qu’une place de marché.`
      : listingLow
        ? `Volet collectif possible : ${formatShare(stocks)} de commerçants aux stocks informatisés, mais seulement ${formatShare(individuel.listingShare ?? 0)} avec une fiche Google à jour : avant une place de marché, le guide veut la majorité des commerçants bien référencés.`
        : `Volet collectif possible : avec ${formatShare(stocks)} de commerçants aux stocks informatisés, l’étape « place de marché » peut être envisagée.`,
    { figures, gaps, advice, collectifPath: path },
  );
}

function centreVilleBilan(ctx: Ctx, roadmap: Roadmap, individuel: Bilan): Bilan {
  const { rules } = ctx.catalog;
  const yes: string[] = [];
  const no: string[] = [];
  const gaps: string[] = [];
  const questions = roadmap.questions.filter((q) => q.kind === 'yesno');
  for (const q of questions) {
    const v = ctx.parsed.values['centre-ville'].get(q.id);
    if (v === 'yes') yes.push(q.short);
    if (v === 'no') {
      no.push(q.short);
      const gap = rules.centreVilleGaps[q.id];
      const fiche = gap ? ficheById(ctx.catalog, gap.fiche) : undefined;
      gaps.push(
        fiche
          ? `${q.short} : non — « ${fiche.title} » y répond (${readingLabel(ctx.catalog, 'centre-ville-gaps')}).`
          : `${q.short} : non.`,
      );
    }
  }
  const figures: string[] = [];
  if (yes.length > 0) figures.push(`Oui : ${yes.join(', ')}`);
  // Each « non » is a gap line below, with the fiche that answers it: not listed twice.
  const advice = findOutAdvice(roadmap, unknownShorts(ctx, roadmap));
  const unknownCount = questions.length - yes.length - no.length;
  if (no.length > 0)
    return bilan(
      roadmap,
      'insuffisant',
      `La sphère publique est encore peu numérisée sur ${no.length} point${no.length > 1 ? 's' : ''} sur ${questions.length} : chaque « non » indique une solution de centre-ville à étudier.`,
      { figures, gaps, advice },
    );
  if (unknownCount === questions.length)
    return bilan(
      roadmap,
      'inconnu',
      'Le niveau de numérisation de la sphère publique reste à établir.',
      { advice },
    );
  if (unknownCount > 0)
    return bilan(
      roadmap,
      'a-completer',
      'Pas de manque relevé pour l’instant ; quelques réponses restent à vérifier.',
      { figures, advice },
    );
  const ready = individuel.status === 'valide';
  return bilan(
    roadmap,
    'pret',
    ready
      ? 'La collectivité est prête : la brique « commerçants » peut s’intégrer, les étapes côté commerçants peuvent suivre.'
      : 'La collectivité est prête ; la brique « commerçants » s’intégrera dès que le bilan individuel sera validé.',
    { figures, advice, merchantSideReady: ready },
  );
}

/** A bilan in a few words, for the one-line recap of the final summary. */
function headlineOf(ctx: Ctx, b: Bilan, individuel: Bilan): string {
  const { thresholds } = ctx.catalog.rules;
  const seuil = formatShare(thresholds.individuelWebActive);
  switch (b.roadmap) {
    case 'individuel':
      if (b.webActiveShare === undefined)
        return 'part des commerçants actifs sur le web à connaître';
      return `${formatShare(b.webActiveShare)} des commerçants actifs sur le web (seuil du guide : ${seuil})`;
    case 'collectif': {
      if (b.status === 'pas-encore') return 'il vient une fois le bilan individuel validé';
      const stocks = shareOf(ctx, 'collectif', 'stocks-informatises');
      if (stocks === undefined) return 'part des stocks informatisés à connaître';
      const stockText = `${formatShare(stocks)} de stocks informatisés`;
      if (b.collectifPath === 'site-vitrine') return `${stockText} : un site « vitrine » d’abord`;
      const listing = individuel.listingShare;
      return listing !== undefined && listing < thresholds.listingMajority
        ? `${stockText}, mais ${formatShare(listing)} de fiches Google à jour : le référencement d’abord`
        : `${stockText} : une place de marché peut être envisagée`;
    }
    case 'centre-ville': {
      const values = [...ctx.parsed.values['centre-ville'].values()];
      const no = values.filter((v) => v === 'no').length;
      const total = roadmapOf(ctx.catalog, 'centre-ville')?.questions.length ?? 4;
      if (no > 0) return `${no} « non » sur ${total} questions`;
      return b.status === 'pret'
        ? `« oui » aux ${total} questions`
        : 'des réponses restent à vérifier';
    }
  }
}

// === Roadmap views, push and postpone

/** Next step(s): step 1 while answers are missing, none for `pas-encore`, else the first ★ after step 1. */
function nextSteps(ctx: Ctx, roadmap: Roadmap, b: Bilan | undefined): Set<number> {
  if (b?.status === 'pas-encore') return new Set();
  if (!b || unknownShorts(ctx, roadmap).length > 0) return new Set([1]);
  const star = roadmap.steps.find((s) => s.star && s.number > 1) ?? roadmap.steps[1];
  return new Set(star ? [star.number] : []);
}

function stepViews(ctx: Ctx, roadmap: Roadmap, b: Bilan | undefined): RoadmapStepView[] {
  const next = nextSteps(ctx, roadmap, b);
  return roadmap.steps.map((s) => ({
    roadmap: roadmap.id,
    number: s.number,
    title: s.title,
    means: [...s.means],
    star: s.star,
    next: next.has(s.number),
  }));
}

function isBlocked(catalog: Catalog, fiche: Fiche): boolean {
  return maturityIndex(fiche.maturity) >= maturityIndex(catalog.rules.orderRule.blockedMaturity);
}

/**
 * Assesses the territory from the guide's maturity questions. Bad input (out-of-range share,
 * unknown roadmap or question, unknown objective) gives a typed error, never an exception.
 */
export function assessTerritory(
  catalog: Catalog,
  answers: TerritoryAnswers,
  opts?: { objective?: ObjectiveId },
): Result<TerritoryAssessment> {
  try {
    return assess(catalog, answers, opts);
  } catch {
    return err('INTERNAL', 'Le diagnostic n’a pas pu être établi avec ces réponses.');
  }
}

function assess(
  catalog: Catalog,
  answers: unknown,
  opts: { objective?: ObjectiveId } | undefined,
): Result<TerritoryAssessment> {
  const objective = isPlainObject(opts) ? opts.objective : undefined;
  if (objective !== undefined && !catalog.objectives.some((o) => o.id === objective))
    return err('UNKNOWN_OBJECTIVE', `Objectif inconnu : « ${String(objective).slice(0, 40)} ».`);
  const parsedR = parseAnswers(catalog, answers);
  if (!parsedR.ok) return parsedR;
  const ctx: Ctx = { catalog, parsed: parsedR.value };
  const ind = roadmapOf(catalog, 'individuel');
  if (!ind)
    return err('CATALOG_INCOMPLETE', 'La feuille de route « individuel » manque au catalogue.');

  const bilans: Bilan[] = [];
  const individuel = individuelBilan(ctx, ind);
  bilans.push(individuel);
  const col = roadmapOf(catalog, 'collectif');
  if (col && ctx.parsed.answered.collectif) bilans.push(collectifBilan(ctx, col, individuel));
  const cv = roadmapOf(catalog, 'centre-ville');
  if (cv && ctx.parsed.answered['centre-ville']) bilans.push(centreVilleBilan(ctx, cv, individuel));
  for (const b of bilans) b.headline = headlineOf(ctx, b, individuel);

  // Roadmaps: those with a bilan, plus those that carry the chosen objective's fiches.
  const objectiveFiches = new Set(
    catalog.fiches.filter((f) => f.objective === objective).map((f) => f.id),
  );
  const roadmaps = SECTIONS.flatMap(({ roadmap: id }) => {
    const r = roadmapOf(catalog, id);
    if (!r) return [];
    const b = bilans.find((x) => x.roadmap === id);
    if (!b && !r.fiches.some((f) => objectiveFiches.has(f))) return [];
    return [{ roadmap: id, title: r.title, steps: stepViews(ctx, r, b) }];
  });

  // Push and postpone: a fiche appears at most once, in one list only.
  const push: TerritoryFicheDecision[] = [];
  const postpone: TerritoryFicheDecision[] = [];
  const listed = (id: string) =>
    push.some((p) => p.fiche === id) || postpone.some((p) => p.fiche === id);
  const addPush = (id: string, code: TerritoryReasonCode, reason: string) => {
    const existing = push.find((p) => p.fiche === id);
    if (existing && !existing.reason.includes(reason)) existing.reason += ` ${reason}`;
    else if (!listed(id) && ficheById(catalog, id)) push.push({ fiche: id, code, reason });
  };
  const addPostpone = (id: string, code: TerritoryReasonCode, reason: string) => {
    if (!listed(id) && ficheById(catalog, id)) postpone.push({ fiche: id, code, reason });
  };

  const { rules } = catalog;
  const orderRuleActive = individuel.status !== 'valide';
  const threshold = formatShare(rules.thresholds.individuelWebActive);
  const orderLabel = readingLabel(catalog, 'order-rule');
  const paths = rules.collectifPaths;
  const majority = rules.thresholds.listingMajority;
  if (orderRuleActive) {
    const why =
      individuel.status === 'insuffisant' && individuel.webActiveShare !== undefined
        ? `${formatShare(individuel.webActiveShare)} de commerçants actifs sur le web, sous le seuil de ${threshold} : le guide demande de former et d’accompagner d’abord.`
        : `Part de commerçants actifs sur le web encore inconnue ou sous ${threshold} : commencez par les solutions simples, formation et accompagnement.`;
    for (const id of ind.fiches) {
      const f = ficheById(catalog, id);
      if (f && !isBlocked(catalog, f)) addPush(id, 'order-rule', why);
    }
    for (const f of catalog.fiches)
      if (isBlocked(catalog, f))
        addPostpone(
          f.id,
          'order-rule',
          `À reporter (${orderLabel}) : ${lowerFirst(rules.orderRule.reason)}`,
        );
  }
  // Before a place de marché, most merchants correctly referenced (guide p. 42): the Google share.
  const listing = individuel.listingShare;
  if (listing !== undefined && listing < majority) {
    const builder = rules.builders.P3?.[0];
    addPostpone(
      paths.high,
      'listing-first',
      `Pas encore : ${formatShare(listing)} des commerçants ont une fiche Google à jour, et le guide veut la majorité bien référencés avant une place de marché (${readingLabel(catalog, 'marketplace-listing')}).`,
    );
    if (builder && !orderRuleActive)
      addPush(
        builder,
        'listing-first',
        `Porter la part de fiches Google à jour au-delà de ${formatShare(majority)} (aujourd’hui ${formatShare(listing)}) avant une place de marché.`,
      );
  }
  const collectif = bilans.find((b) => b.roadmap === 'collectif');
  const stocks = shareOf(ctx, 'collectif', 'stocks-informatises');
  const stockText = stocks === undefined ? '' : `${formatShare(stocks)} de stocks informatisés`;
  if (collectif?.collectifPath === 'place-de-marche')
    addPush(
      paths.high,
      'collectif-path',
      `Place de marché envisageable : ${stockText}, au-delà de ${formatShare(rules.thresholds.collectifStockHigh.value)} (${readingLabel(catalog, 'stock-high')}).`,
    );
  if (collectif?.collectifPath === 'site-vitrine') {
    addPush(
      paths.low,
      'collectif-path',
      `Le site « vitrine » d’abord : ${stockText}, c’est peu pour vendre ensemble en ligne.`,
    );
    addPostpone(
      paths.high,
      'collectif-path',
      `Plus tard : la gestion des stocks informatisée n’est pas encore assez répandue (${stockText}).`,
    );
  }
  if (cv && ctx.parsed.answered['centre-ville']) {
    for (const q of cv.questions) {
      if (ctx.parsed.values['centre-ville'].get(q.id) !== 'no') continue;
      const gap = rules.centreVilleGaps[q.id];
      const f = gap ? ficheById(catalog, gap.fiche) : undefined;
      if (!gap || !f) continue;
      if (orderRuleActive && isBlocked(catalog, f))
        addPostpone(
          f.id,
          'order-rule',
          `À reporter (${orderLabel}) : ${lowerFirst(rules.orderRule.reason)}`,
        );
      else
        addPush(
          f.id,
          'centre-ville-gap',
          `« ${q.short} » : non. ${gap.why} (${readingLabel(catalog, 'centre-ville-gaps')})`,
        );
    }
  }

  const clarifications: string[] = [];
  const co = shareOf(ctx, 'individuel', 'connectes');
  for (const qid of ['reseaux-sociaux', 'fiche-google']) {
    const v = shareOf(ctx, 'individuel', qid);
    if (co !== undefined && v !== undefined && v > co)
      clarifications.push(
        `« ${shortOf(ind, qid)} » (${formatShare(v)}) dépasse « ${shortOf(ind, 'connectes')} » (${formatShare(co)}) : vérifiez ces deux chiffres.`,
      );
  }
  return ok({
    bilans,
    roadmaps,
    push,
    postpone,
    orderRuleActive,
    collectifNotYet: orderRuleActive,
    clarifications,
  });
}

/**
 * Whether the collectif part may be offered: the guide launches it only once the individuel
 * bilan is validated (at least 60 % of merchants active on the web, p. 40). Reads the individuel
 * shares from a flat record of answers (the dialogue's), anything else being unknown.
 */
export function collectifOpen(
  catalog: Catalog,
  answers: Readonly<Record<string, unknown>>,
): boolean {
  const pick = (k: string): Share | undefined => {
    const v = answers[k];
    return typeof v === 'number' && v >= 0 && v <= 100 ? v : undefined;
  };
  const individuel: NonNullable<TerritoryAnswers['individuel']> = {};
  for (const k of ['connectes', 'reseaux-sociaux', 'fiche-google'] as const) {
    const v = pick(k);
    if (v !== undefined) individuel[k] = v;
  }
  const r = assessTerritory(catalog, { individuel });
  return r.ok && r.value.bilans[0]?.status === 'valide';
}
