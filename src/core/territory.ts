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
import { ficheById, maturityIndex, pointsGap } from './labels.js';
import type { Answer } from './merchant.js';
import { type CoreErrorCode, err, ok, type Result, received } from './result.js';

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

/**
 * What a bilan concludes, as a code with its figures (presenters word it): `web-*` for the
 * individuel roadmap (web-active share against the guide's threshold), `collectif-not-yet` …
 * `place-de-marche` for the collectif one (the stock share decides the path), `public-*` for
 * the centre-ville one (the « non » answers).
 */
export type BilanSummary =
  | { readonly code: 'web-valide'; readonly web: number; readonly threshold: number }
  | { readonly code: 'web-insuffisant'; readonly web: number; readonly threshold: number }
  | { readonly code: 'web-unknown' }
  | { readonly code: 'collectif-not-yet'; readonly threshold: number; readonly web?: number }
  | { readonly code: 'stocks-unknown' }
  | { readonly code: 'site-vitrine'; readonly stocks: number }
  | { readonly code: 'listing-first'; readonly stocks: number; readonly listing: number }
  | { readonly code: 'place-de-marche'; readonly stocks: number }
  | { readonly code: 'public-gaps'; readonly no: number; readonly total: number }
  | { readonly code: 'public-unknown'; readonly total: number }
  | { readonly code: 'public-to-check'; readonly total: number }
  | { readonly code: 'public-ready'; readonly total: number; readonly merchantSide: boolean };

/** The individuel shares that say whether merchants are active on the web. */
export type WebShareQuestion = 'reseaux-sociaux' | 'fiche-google';

/**
 * One line of a bilan, as a code with its data (question ids, shares, step numbers): figures
 * (`web-active`, `web-active-at-least`, `share`, `choice`, `stock-high`, `yes`), gaps
 * (`web-gap`, `listing-gap`, `stock-gap`, `public-no`) and advice (`find-out`,
 * `coaching-first`, `individuel-first`, `association-weak`).
 */
export type BilanLine =
  | {
      readonly code: 'web-active';
      readonly web: number;
      readonly social: number;
      readonly listing: number;
    }
  | {
      readonly code: 'web-active-at-least';
      readonly known: number;
      readonly question: WebShareQuestion;
      readonly other: WebShareQuestion;
    }
  | {
      readonly code: 'share';
      readonly roadmap: RoadmapId;
      readonly question: string;
      readonly value: number;
    }
  | {
      readonly code: 'choice';
      readonly roadmap: RoadmapId;
      readonly question: string;
      readonly option: string;
    }
  | { readonly code: 'stock-high'; readonly threshold: number }
  | { readonly code: 'yes'; readonly questions: readonly string[] }
  | { readonly code: 'web-gap'; readonly gap: number; readonly threshold: number }
  | { readonly code: 'listing-gap'; readonly gap: number; readonly target: number }
  | { readonly code: 'stock-gap'; readonly gap: number; readonly threshold: number }
  | { readonly code: 'public-no'; readonly question: string; readonly fiche?: string }
  | {
      readonly code: 'find-out';
      readonly roadmap: RoadmapId;
      readonly questions: readonly string[];
    }
  | { readonly code: 'coaching-first'; readonly roadmap: RoadmapId; readonly step: number }
  | { readonly code: 'individuel-first'; readonly threshold: number }
  | { readonly code: 'association-weak'; readonly roadmap: RoadmapId; readonly step: number };

/** One roadmap's bilan: codes and figures, worded by the presenters. */
export interface Bilan {
  roadmap: RoadmapId;
  status: BilanStatus;
  /** What the bilan means. */
  summary: BilanSummary;
  /** The guide's rule, in our words (from the roadmap data). */
  rule: string;
  /** What triggered the status. */
  figures: BilanLine[];
  /** Gap to the guide's targets. */
  gaps: BilanLine[];
  /** individuel: the larger of « réseaux sociaux » and « fiche Google » (at least, if one is unknown). */
  webActiveShare?: number;
  /** individuel: the « fiche Google à jour » share, which decides the marketplace caution. */
  listingShare?: number;
  /** collectif, when decided: marketplace step possible, or « site vitrine » to favour. */
  collectifPath?: 'place-de-marche' | 'site-vitrine';
  /** centre-ville `pret`: whether the merchant-side steps can follow (individuel validated). */
  merchantSideReady?: boolean;
  /** How to find out what is unknown, or what the guide asks to do first. */
  advice: BilanLine[];
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
  clarifications: TerritoryClarification[];
}

/** A share of merchants active somewhere on the web above the share connected at all. */
export interface TerritoryClarification {
  readonly code: 'above-connected';
  readonly question: WebShareQuestion;
  readonly value: number;
  readonly connected: number;
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

/**
 * One reason, as a code (its group) and a kind (its wording) with the figures it quotes.
 * order-rule: `train-first` (web-active share known, below the threshold), `simple-first`
 * (unknown), `blocked` (a fiche postponed by the rule) · listing-first: `marketplace-waits`,
 * `raise-listing` · collectif-path: `marketplace-possible`, `vitrine-first`,
 * `marketplace-later` · centre-ville-gap: `public-no` (the question answered « non »).
 */
export type TerritoryReason =
  | {
      readonly code: 'order-rule';
      readonly kind: 'train-first';
      readonly web: number;
      readonly threshold: number;
    }
  | { readonly code: 'order-rule'; readonly kind: 'simple-first'; readonly threshold: number }
  | { readonly code: 'order-rule'; readonly kind: 'blocked' }
  | {
      readonly code: 'listing-first';
      readonly kind: 'marketplace-waits';
      readonly listing: number;
      readonly majority: number;
    }
  | {
      readonly code: 'listing-first';
      readonly kind: 'raise-listing';
      readonly listing: number;
      readonly majority: number;
    }
  | {
      readonly code: 'collectif-path';
      readonly kind: 'marketplace-possible';
      readonly stocks: number;
      readonly threshold: number;
    }
  | { readonly code: 'collectif-path'; readonly kind: 'vitrine-first'; readonly stocks: number }
  | { readonly code: 'collectif-path'; readonly kind: 'marketplace-later'; readonly stocks: number }
  | { readonly code: 'centre-ville-gap'; readonly kind: 'public-no'; readonly question: string };

/**
 * A fiche the bilan pushes or postpones: its first reason's code (to group by) and every
 * distinct reason that led to it, in order (merged by value, never by wording).
 */
export interface TerritoryFicheDecision {
  fiche: string;
  code: TerritoryReasonCode;
  reasons: TerritoryReason[];
}

function sameReason(a: TerritoryReason, b: TerritoryReason): boolean {
  if (a.kind !== b.kind) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].every((k) => x[k] === y[k]);
}

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

function parseValue(roadmap: RoadmapId, q: RoadmapQuestion, v: unknown): Result<Value> {
  if (v === undefined || v === 'unknown') return ok(undefined);
  const fail = (code: CoreErrorCode, what: 'share-range' | 'share' | 'yesno' | 'choice') =>
    err<Value>(
      code,
      { what, roadmap, question: q.id, got: received(v) },
      `${what}: ${q.id} ← ${String(v)}`,
    );
  if (q.kind === 'share') {
    if (typeof v === 'number')
      return Number.isFinite(v) && v >= 0 && v <= 100
        ? ok(v)
        : fail('SHARE_OUT_OF_RANGE', 'share-range');
    return fail('INVALID_ANSWER', 'share');
  }
  if (q.kind === 'yesno')
    return v === 'yes' || v === 'no' ? ok(v) : fail('INVALID_ANSWER', 'yesno');
  if (typeof v === 'string' && q.options.some((o) => o.id === v)) return ok(v);
  return fail('INVALID_CHOICE', 'choice');
}

function parseAnswers(catalog: Catalog, input: unknown): Result<Parsed> {
  const parsed: Parsed = {
    values: { individuel: new Map(), collectif: new Map(), 'centre-ville': new Map() },
    answered: { individuel: false, collectif: false, 'centre-ville': false },
  };
  if (input === undefined || input === null) return ok(parsed);
  if (!isPlainObject(input)) return err('INVALID_INPUT', { what: 'territory-answers' });
  for (const key of Object.keys(input)) {
    const section = SECTIONS.find((s) => s.key === key);
    if (!section) return err('UNKNOWN_ROADMAP', { what: 'unknown-roadmap', got: key.slice(0, 40) });
    const given = input[key];
    if (given === undefined) continue;
    if (!isPlainObject(given))
      return err('INVALID_INPUT', { what: 'roadmap-answers', roadmap: section.roadmap });
    const roadmap = catalog.roadmaps.find((r) => r.id === section.roadmap);
    if (!roadmap)
      return err('CATALOG_INCOMPLETE', { what: 'missing-roadmap', roadmap: section.roadmap });
    for (const [qid, v] of Object.entries(given)) {
      const q = roadmap.questions.find((x) => x.id === qid);
      if (!q)
        return err('UNKNOWN_QUESTION', {
          what: 'unknown-question',
          roadmap: section.roadmap,
          got: qid.slice(0, 40),
        });
      const r = parseValue(section.roadmap, q, v);
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

/** Ids of the roadmap's questions left unknown. */
function unknownQuestions(ctx: Ctx, roadmap: Roadmap): string[] {
  return roadmap.questions
    .filter((q) => ctx.parsed.values[roadmap.id].get(q.id) === undefined)
    .map((q) => q.id);
}

/** The roadmap's own first step, to find out what is unknown. */
function findOutAdvice(ctx: Ctx, roadmap: Roadmap): BilanLine[] {
  const questions = unknownQuestions(ctx, roadmap);
  return questions.length === 0 ? [] : [{ code: 'find-out', roadmap: roadmap.id, questions }];
}

function bilan(
  roadmap: Roadmap,
  status: BilanStatus,
  summary: BilanSummary,
  parts: Partial<Omit<Bilan, 'roadmap' | 'status' | 'summary' | 'rule'>>,
): Bilan {
  return {
    roadmap: roadmap.id,
    status,
    summary,
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
  const figures: BilanLine[] = [];
  const gaps: BilanLine[] = [];
  if (co !== undefined)
    figures.push({ code: 'share', roadmap: roadmap.id, question: 'connectes', value: co });
  let status: BilanStatus;
  let web: number | undefined;
  if (rs !== undefined && fg !== undefined) {
    web = Math.max(rs, fg);
    figures.unshift({ code: 'web-active', web, social: rs, listing: fg });
    status = web >= threshold ? 'valide' : 'insuffisant';
  } else if (rs !== undefined || fg !== undefined) {
    const known = (rs ?? fg) as number;
    figures.unshift({
      code: 'web-active-at-least',
      known,
      question: rs !== undefined ? 'reseaux-sociaux' : 'fiche-google',
      other: rs !== undefined ? 'fiche-google' : 'reseaux-sociaux',
    });
    if (known >= threshold) {
      web = known;
      status = 'valide';
    } else status = 'a-completer';
  } else status = co === undefined ? 'inconnu' : 'a-completer';

  const summary: BilanSummary =
    web !== undefined && status === 'valide'
      ? { code: 'web-valide', web, threshold }
      : web !== undefined && status === 'insuffisant'
        ? { code: 'web-insuffisant', web, threshold }
        : { code: 'web-unknown' };

  if (web !== undefined && web < threshold)
    gaps.push({ code: 'web-gap', gap: pointsGap(threshold, web), threshold });
  if (fg !== undefined && fg < target)
    gaps.push({ code: 'listing-gap', gap: pointsGap(target, fg), target });
  const advice = findOutAdvice(ctx, roadmap);
  if (status === 'insuffisant') {
    const coaching = roadmap.steps.find((s) => s.star && s.number > 1);
    if (coaching)
      advice.push({ code: 'coaching-first', roadmap: roadmap.id, step: coaching.number });
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
  const figures: BilanLine[] = [];
  const gaps: BilanLine[] = [];
  const advice: BilanLine[] = [];
  for (const [question, value] of [
    ['stocks-informatises', stocks],
    ['adherents-association', adherents],
  ] as const)
    if (value !== undefined) figures.push({ code: 'share', roadmap: roadmap.id, question, value });
  if (typeof structurationId === 'string')
    figures.push({
      code: 'choice',
      roadmap: roadmap.id,
      question: 'structuration-association',
      option: structurationId,
    });
  const threshold = rules.thresholds.individuelWebActive;
  if (individuel.status !== 'valide')
    return bilan(
      roadmap,
      'pas-encore',
      {
        code: 'collectif-not-yet',
        threshold,
        ...(individuel.webActiveShare === undefined ? {} : { web: individuel.webActiveShare }),
      },
      { figures, advice: [{ code: 'individuel-first', threshold }] },
    );
  advice.push(...findOutAdvice(ctx, roadmap));
  if (stocks === undefined)
    return bilan(roadmap, 'a-completer', { code: 'stocks-unknown' }, { figures, advice });
  const path = stocks >= high.value ? 'place-de-marche' : 'site-vitrine';
  if (path === 'site-vitrine')
    gaps.push({ code: 'stock-gap', gap: pointsGap(high.value, stocks), threshold: high.value });
  else figures.push({ code: 'stock-high', threshold: high.value });
  const listing = individuel.listingShare;
  const listingLow =
    path === 'place-de-marche' &&
    listing !== undefined &&
    listing < rules.thresholds.listingMajority;
  const step1 = roadmap.steps[0];
  if (structurationId === 'faible' && step1)
    advice.push({ code: 'association-weak', roadmap: roadmap.id, step: step1.number });
  const summary: BilanSummary =
    path === 'site-vitrine'
      ? { code: 'site-vitrine', stocks }
      : listingLow
        ? { code: 'listing-first', stocks, listing }
        : { code: 'place-de-marche', stocks };
  return bilan(roadmap, 'valide', summary, { figures, gaps, advice, collectifPath: path });
}

function centreVilleBilan(ctx: Ctx, roadmap: Roadmap, individuel: Bilan): Bilan {
  const { rules } = ctx.catalog;
  const yes: string[] = [];
  const gaps: BilanLine[] = [];
  const questions = roadmap.questions.filter((q) => q.kind === 'yesno');
  for (const q of questions) {
    const v = ctx.parsed.values['centre-ville'].get(q.id);
    if (v === 'yes') yes.push(q.id);
    if (v === 'no') {
      const gap = rules.centreVilleGaps[q.id];
      const fiche = gap ? ficheById(ctx.catalog, gap.fiche) : undefined;
      gaps.push({ code: 'public-no', question: q.id, ...(fiche ? { fiche: fiche.id } : {}) });
    }
  }
  const figures: BilanLine[] = yes.length > 0 ? [{ code: 'yes', questions: yes }] : [];
  // Each « non » is a gap line, with the fiche that answers it: not listed twice.
  const advice = findOutAdvice(ctx, roadmap);
  const total = questions.length;
  const unknownCount = total - yes.length - gaps.length;
  if (gaps.length > 0)
    return bilan(
      roadmap,
      'insuffisant',
      { code: 'public-gaps', no: gaps.length, total },
      { figures, gaps, advice },
    );
  if (unknownCount === total)
    return bilan(roadmap, 'inconnu', { code: 'public-unknown', total }, { advice });
  if (unknownCount > 0)
    return bilan(roadmap, 'a-completer', { code: 'public-to-check', total }, { figures, advice });
  const ready = individuel.status === 'valide';
  return bilan(
    roadmap,
    'pret',
    { code: 'public-ready', total, merchantSide: ready },
    { figures, advice, merchantSideReady: ready },
  );
}

// === Roadmap views, push and postpone

/** Next step(s): step 1 while answers are missing, none for `pas-encore`, else the first ★ after step 1. */
function nextSteps(ctx: Ctx, roadmap: Roadmap, b: Bilan | undefined): Set<number> {
  if (b?.status === 'pas-encore') return new Set();
  if (!b || unknownQuestions(ctx, roadmap).length > 0) return new Set([1]);
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
 * unknown roadmap or question, unknown objective) gives a typed error; anything else that goes
 * wrong is a bug and throws.
 */
export function assessTerritory(
  catalog: Catalog,
  answers: TerritoryAnswers,
  opts?: { objective?: ObjectiveId },
): Result<TerritoryAssessment> {
  const objective = isPlainObject(opts) ? opts.objective : undefined;
  if (objective !== undefined && !catalog.objectives.some((o) => o.id === objective))
    return err('UNKNOWN_OBJECTIVE', {
      what: 'unknown-objective',
      got: String(objective).slice(0, 40),
    });
  const parsedR = parseAnswers(catalog, answers);
  if (!parsedR.ok) return parsedR;
  const ctx: Ctx = { catalog, parsed: parsedR.value };
  const ind = roadmapOf(catalog, 'individuel');
  if (!ind) return err('CATALOG_INCOMPLETE', { what: 'missing-roadmap', roadmap: 'individuel' });

  const bilans: Bilan[] = [];
  const individuel = individuelBilan(ctx, ind);
  bilans.push(individuel);
  const col = roadmapOf(catalog, 'collectif');
  if (col && ctx.parsed.answered.collectif) bilans.push(collectifBilan(ctx, col, individuel));
  const cv = roadmapOf(catalog, 'centre-ville');
  if (cv && ctx.parsed.answered['centre-ville']) bilans.push(centreVilleBilan(ctx, cv, individuel));

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

  // Push and postpone: a fiche appears at most once, in one list only; a pushed fiche gathers
  // every distinct reason (compared by value).
  const push: TerritoryFicheDecision[] = [];
  const postpone: TerritoryFicheDecision[] = [];
  const listed = (id: string) =>
    push.some((p) => p.fiche === id) || postpone.some((p) => p.fiche === id);
  const addPush = (id: string, reason: TerritoryReason) => {
    const existing = push.find((p) => p.fiche === id);
    if (existing) {
      if (!existing.reasons.some((r) => sameReason(r, reason))) existing.reasons.push(reason);
    } else if (!listed(id) && ficheById(catalog, id))
      push.push({ fiche: id, code: reason.code, reasons: [reason] });
  };
  const addPostpone = (id: string, reason: TerritoryReason) => {
    if (!listed(id) && ficheById(catalog, id))
      postpone.push({ fiche: id, code: reason.code, reasons: [reason] });
  };

  const { rules } = catalog;
  const orderRuleActive = individuel.status !== 'valide';
  const threshold = rules.thresholds.individuelWebActive;
  const paths = rules.collectifPaths;
  const majority = rules.thresholds.listingMajority;
  if (orderRuleActive) {
    const web = individuel.webActiveShare;
    const why: TerritoryReason =
      individuel.status === 'insuffisant' && web !== undefined
        ? { code: 'order-rule', kind: 'train-first', web, threshold }
        : { code: 'order-rule', kind: 'simple-first', threshold };
    for (const id of ind.fiches) {
      const f = ficheById(catalog, id);
      if (f && !isBlocked(catalog, f)) addPush(id, why);
    }
    for (const f of catalog.fiches)
      if (isBlocked(catalog, f)) addPostpone(f.id, { code: 'order-rule', kind: 'blocked' });
  }
  // Before a place de marché, most merchants correctly referenced (guide p. 42): the Google share.
  const listing = individuel.listingShare;
  if (listing !== undefined && listing < majority) {
    const builder = rules.builders.P3?.[0];
    addPostpone(paths.high, {
      code: 'listing-first',
      kind: 'marketplace-waits',
      listing,
      majority,
    });
    if (builder && !orderRuleActive)
      addPush(builder, { code: 'listing-first', kind: 'raise-listing', listing, majority });
  }
  const collectif = bilans.find((b) => b.roadmap === 'collectif');
  const stocks = shareOf(ctx, 'collectif', 'stocks-informatises');
  if (stocks !== undefined && collectif?.collectifPath === 'place-de-marche')
    addPush(paths.high, {
      code: 'collectif-path',
      kind: 'marketplace-possible',
      stocks,
      threshold: rules.thresholds.collectifStockHigh.value,
    });
  if (stocks !== undefined && collectif?.collectifPath === 'site-vitrine') {
    addPush(paths.low, { code: 'collectif-path', kind: 'vitrine-first', stocks });
    addPostpone(paths.high, { code: 'collectif-path', kind: 'marketplace-later', stocks });
  }
  if (cv && ctx.parsed.answered['centre-ville']) {
    for (const q of cv.questions) {
      if (ctx.parsed.values['centre-ville'].get(q.id) !== 'no') continue;
      const gap = rules.centreVilleGaps[q.id];
      const f = gap ? ficheById(catalog, gap.fiche) : undefined;
      if (!gap || !f) continue;
      if (orderRuleActive && isBlocked(catalog, f))
        addPostpone(f.id, { code: 'order-rule', kind: 'blocked' });
      else addPush(f.id, { code: 'centre-ville-gap', kind: 'public-no', question: q.id });
    }
  }

  const clarifications: TerritoryClarification[] = [];
  const connected = shareOf(ctx, 'individuel', 'connectes');
  for (const question of ['reseaux-sociaux', 'fiche-google'] as const) {
    const value = shareOf(ctx, 'individuel', question);
    if (connected !== undefined && value !== undefined && value > connected)
      clarifications.push({ code: 'above-connected', question, value, connected });
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
 * The territory answers recorded in a flat record (the dialogue's), in the core's shape: the
 * one reader of those answers; a value of the wrong type is left out (unknown).
 */
export function territoryAnswersOf(answers: Readonly<Record<string, unknown>>): TerritoryAnswers {
  const share = (v: unknown): Share | undefined =>
    typeof v === 'number' || v === 'unknown' ? v : undefined;
  const out: TerritoryAnswers = {};
  const individuel: NonNullable<TerritoryAnswers['individuel']> = {};
  for (const q of ['connectes', 'reseaux-sociaux', 'fiche-google'] as const) {
    const v = share(answers[q]);
    if (v !== undefined) individuel[q] = v;
  }
  if (Object.keys(individuel).length > 0) out.individuel = individuel;
  const collectif: NonNullable<TerritoryAnswers['collectif']> = {};
  for (const q of ['stocks-informatises', 'adherents-association'] as const) {
    const v = share(answers[q]);
    if (v !== undefined) collectif[q] = v;
  }
  const s = answers['structuration-association'];
  if (s === 'faible' || s === 'moyenne' || s === 'forte' || s === 'unknown')
    collectif['structuration-association'] = s;
  if (Object.keys(collectif).length > 0) out.collectif = collectif;
  const cv: NonNullable<TerritoryAnswers['centreVille']> = {};
  for (const q of [
    'service-communication',
    'services-publics-en-ligne',
    'praticiens-reservation',
    'parkings-temps-reel',
  ] as const) {
    const v = answers[q];
    if (v === 'yes' || v === 'no' || v === 'unknown') cv[q] = v;
  }
  if (Object.keys(cv).length > 0) out.centreVille = cv;
  return out;
}

/**
 * The territory's decision from the dialogue's recorded answers (a flat record): read once
 * with {@link territoryAnswersOf}, then assessed — the whole roadmap set, or only the individuel
 * part (the bilan shown after its three questions).
 */
export function territoryAssessment(
  catalog: Catalog,
  answers: Readonly<Record<string, unknown>>,
  opts: { objective?: ObjectiveId; only?: 'individuel' } = {},
): Result<TerritoryAssessment> {
  const ta = territoryAnswersOf(answers);
  return assessTerritory(
    catalog,
    opts.only ? { individuel: ta.individuel ?? {} } : ta,
    opts.objective ? { objective: opts.objective } : {},
  );
}

/**
 * Whether the collectif part may be offered: the guide launches it only once the individuel
 * bilan is validated (at least 60 % of merchants active on the web, p. 40). Reads the individuel
 * shares from the dialogue's flat record of answers with {@link territoryAnswersOf}; answers
 * that do not assess (a share out of range) keep it closed.
 */
export function collectifOpen(
  catalog: Catalog,
  answers: Readonly<Record<string, unknown>>,
): boolean {
  const r = territoryAssessment(catalog, answers, { only: 'individuel' });
  return r.ok && r.value.bilans[0]?.status === 'valide';
}
