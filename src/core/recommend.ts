/**
 * Recommendation (SPEC §4): which fiches, in which order, accessible now or for later, and
 * why — in one French line each, plus a code (`why`) that presenters can rely on. Ranking,
 * accessibility and builders come from `catalog.rules`; the order rule keeps `fort` fiches out
 * of first place while the individuel bilan is below the guide's threshold.
 *
 * For a merchant: a fiche is accessible when he meets the guide's own prerequisites for it —
 * or lacks only what the fiche itself builds (rules.builders: fiche 2 is the « démarche
 * marketing ») while being « sensibilisé » — and when his level, counting what the fiche
 * builds, reaches the fiche's maturity (fiches 10 and 11 numérisent ses processus: they bring
 * the « moyen » level they ask for). Accessible fiches come highest level first (what he can
 * do next), then by the impact that matters to him; the commune's fiches are kept apart
 * (`role: 'town'`). The first step is the accessible fiche that builds the prerequisite
 * unlocking the next level, simplest first; with an objective whose fiches are all accessible,
 * its best fiche.
 */
import type {
  Audience,
  Catalog,
  Fiche,
  ImpactKey,
  MaturityLevel,
  MerchantPrereq,
  ObjectiveId,
} from '../../catalog/schema.js';
import { ficheById, MERCHANT_PREREQS, maturityIndex, prereqLabel } from './labels.js';
import {
  assessMerchant,
  closeImplications,
  levelFor,
  type MerchantAnswers,
  type MerchantAssessment,
} from './merchant.js';
import { type CoreError, type CoreErrorCode, type CoreErrorDetail, err } from './result.js';
import type { TerritoryAssessment, TerritoryFicheDecision } from './territory.js';

/** A prerequisite the merchant lacks for a fiche, and the fiches that build it. */
export interface MissingPrereq {
  prereq: MerchantPrereq;
  /** The guide's wording (« avoir une présence active en ligne »). */
  label: string;
  /** Fiche ids that build it (rules.builders, the fiche itself excluded): the path. */
  builders: string[];
  /** Those of `builders` the merchant can start now. */
  accessibleBuilders: string[];
  /** The merchant answered « je ne sais pas »: it may already be met. */
  unknown: boolean;
}

/**
 * Who carries a fiche out, seen from a merchant: himself (`self`), with other merchants
 * (`collective`), or the commune (`town`: centre-ville fiches that are not individual ones,
 * « à proposer à votre mairie »).
 */
export type MerchantRole = 'self' | 'collective' | 'town';

/**
 * Why a fiche is where it is, as a code (presenters word it: `src/dialogue/text/recommend.ts`).
 * `open`: no merchant prerequisite · `met`: the guide's prerequisites are met · `builds`:
 * accessible because the fiche itself gives what it asks for (`gives`) or the level it needs
 * (`to`) · `missing`: the guide's own prerequisites not met · `level`: the guide's prerequisites
 * are met but the fiche's maturity is above the merchant's level (our reading) · `neutral`: no
 * merchant profile · `pushed` / `postponed`: decided by the territory bilan.
 */
export type Why =
  | { readonly code: 'open' }
  | { readonly code: 'met'; readonly met: readonly MerchantPrereq[] }
  | {
      readonly code: 'builds';
      readonly met: readonly MerchantPrereq[];
      readonly gives: readonly MerchantPrereq[];
      readonly to?: MaturityLevel;
    }
  | { readonly code: 'missing'; readonly missing: readonly MerchantPrereq[] }
  | { readonly code: 'level'; readonly need: MaturityLevel; readonly have: MaturityLevel }
  | { readonly code: 'neutral' }
  | { readonly code: 'pushed' }
  | { readonly code: 'postponed' };

/** One recommended fiche. */
export interface RecommendationItem {
  fiche: Fiche;
  /** 1-based position in `items`; 0 for a `firstStep` taken from outside the list. */
  rank: number;
  /** Accessible now (see the module comment); with no merchant, nothing blocks it. */
  accessible: boolean;
  /** The guide's own prerequisites of this fiche that the merchant lacks. */
  missing: MissingPrereq[];
  /** Why the fiche is where it is, as a code (presenters word it). */
  why: Why;
  /** For a fiche for later: the fiche to start with on the way there. */
  path?: string;
  /** With no merchant profile: the impact that matters most to the audience where it scores. */
  impact?: ImpactKey;
  /** Put first by the order rule (guide p. 42) because nothing simple was in the list. */
  orderRuleFirst?: boolean;
  /** As a first step: the prerequisite it brings and the level that gives him. */
  unlocks?: { prereq: MerchantPrereq; to: MaturityLevel };
  /** Who carries it out, for a merchant. */
  role: MerchantRole;
  /** Centre-ville fiches for a merchant: run by the town, and what the merchant can do. */
  runByTown?: { merchantCan: string[] };
  /** Pushed by the territory bilan (comes first). */
  pushed?: boolean;
  /** Postponed by the territory bilan (order rule, collectif path). */
  postponed?: boolean;
  /** The territory bilan's decision on this fiche (push or postpone), with its reason codes. */
  territory?: TerritoryFicheDecision;
}

/** What to recommend for. */
export interface RecommendationRequest {
  objective?: ObjectiveId;
  audience: Audience;
  merchant?: MerchantAssessment;
  territory?: TerritoryAssessment;
  sector?: string;
}

/**
 * A general note, as a code: `order-rule` (the territory is below the threshold: the guide's
 * order rule applies), `unknown-sector` (ignored), `none-reachable` (start with `fiche`).
 */
export type RecommendationNote =
  | { readonly code: 'order-rule' }
  | { readonly code: 'unknown-sector' }
  | { readonly code: 'none-reachable'; readonly fiche: string };

/** The ranked fiches, general notes, the first accessible thing to do, or a typed error. */
export interface Recommendation {
  items: RecommendationItem[];
  notes: RecommendationNote[];
  firstStep?: RecommendationItem;
  error?: CoreError;
}

const AUDIENCES: readonly string[] = ['commercant', 'collectivite', 'visiteur'];

interface Merchant {
  met: ReadonlySet<MerchantPrereq>;
  level: MaturityLevel;
  unknown: ReadonlySet<MerchantPrereq>;
}

interface Ctx {
  catalog: Catalog;
  audience: Audience;
  merchant?: Merchant;
  territory?: TerritoryAssessment;
  objective?: ObjectiveId;
}

// === Roles and accessibility

/** Who carries a fiche out, seen from a merchant (see {@link MerchantRole}). */
export function merchantRole(fiche: Fiche): MerchantRole {
  if (fiche.types.includes('individuelle')) return 'self';
  if (fiche.types.includes('centre-ville')) return 'town';
  return 'collective';
}

function buildersOf(catalog: Catalog, p: MerchantPrereq, except?: string): string[] {
  return (catalog.rules.builders[p] ?? []).filter((id) => id !== except && ficheById(catalog, id));
}

/** Prerequisites a fiche builds (inverse of rules.builders). */
function builtBy(catalog: Catalog, ficheId: string): MerchantPrereq[] {
  return MERCHANT_PREREQS.filter((p) => (catalog.rules.builders[p] ?? []).includes(ficheId));
}

interface Access {
  accessible: boolean;
  /** The guide's own prerequisites not met (and not given by the fiche itself). */
  missing: MerchantPrereq[];
  /** Own prerequisites the fiche gives itself, when accessible thanks to them. */
  gives: MerchantPrereq[];
  /** The level the fiche's own building brings, when it is what makes it accessible. */
  lifts?: MaturityLevel;
  /** Prerequisites met but maturity not reached. */
  levelShort: boolean;
}

/**
 * Can the merchant start this fiche now? Its own prerequisites must be met, except those the
 * fiche builds itself, which only count once the merchant is « sensibilisé » (everything the
 * fiche asks for, implications included, beyond what it builds); and his level, counting what
 * it builds, must reach its maturity.
 */
function access(catalog: Catalog, fiche: Fiche, met: ReadonlySet<MerchantPrereq>): Access {
  const own = fiche.prerequisites.merchant;
  const built = new Set(builtBy(catalog, fiche.id));
  const unmet = own.filter((p) => !met.has(p));
  const required = [...closeImplications(catalog, own)].filter((p) => !built.has(p));
  const selfGiven = unmet.filter((p) => built.has(p));
  const canGiveItself = required.every((p) => met.has(p));
  const missing = canGiveItself ? unmet.filter((p) => !built.has(p)) : unmet;
  const need = maturityIndex(fiche.maturity);
  const level = maturityIndex(levelFor(catalog, met));
  const after = levelFor(catalog, closeImplications(catalog, [...met, ...built]));
  const levelOk = level >= need || maturityIndex(after) >= need;
  if (missing.length > 0) return { accessible: false, missing, gives: [], levelShort: false };
  return {
    accessible: levelOk,
    missing: [],
    gives: selfGiven,
    ...(levelOk && level < need ? { lifts: after } : {}),
    levelShort: !levelOk,
  };
}

/** Strict accessibility for the builders' path (as {@link access}). */
function reachable(catalog: Catalog, fiche: Fiche, met: ReadonlySet<MerchantPrereq>): boolean {
  return access(catalog, fiche, met).accessible;
}

function describeMissing(
  catalog: Catalog,
  fiche: Fiche,
  m: Merchant,
  p: MerchantPrereq,
): MissingPrereq {
  const builders = buildersOf(catalog, p, fiche.id);
  return {
    prereq: p,
    label: prereqLabel(catalog, p),
    builders,
    accessibleBuilders: builders.filter((b) => reachable(catalog, ficheById(catalog, b)!, m.met)),
    unknown: m.unknown.has(p),
  };
}

/** Prerequisites that would raise the merchant's level if he had them, in P1–P4 order. */
function lifting(catalog: Catalog, m: Merchant): MerchantPrereq[] {
  const level = maturityIndex(m.level);
  return MERCHANT_PREREQS.filter(
    (p) =>
      !m.met.has(p) &&
      maturityIndex(levelFor(catalog, closeImplications(catalog, [...m.met, p]))) > level,
  );
}

// === Reasons (as data: the presenters word them)

/** The impact that matters most to the audience where this fiche scores best, if any. */
function bestImpact(ctx: Ctx, fiche: Fiche): ImpactKey | undefined {
  const weights = ctx.catalog.rules.rankingWeights[ctx.audience] ?? {};
  const keys = (Object.keys(weights) as ImpactKey[]).filter((k) => (weights[k] ?? 0) > 0);
  let best: ImpactKey | undefined;
  for (const k of keys) {
    const score = ctx.catalog.rules.ratingScore[fiche.impacts[k]] ?? 0;
    if (score > 0 && (!best || score > (ctx.catalog.rules.ratingScore[fiche.impacts[best]] ?? 0)))
      best = k;
  }
  return best;
}

/** The fiche to start with on the way to the missing prerequisites: one he can start, if any. */
function pathOf(missing: readonly MissingPrereq[]): string | undefined {
  return missing.flatMap((x) => x.accessibleBuilders)[0] ?? missing.flatMap((x) => x.builders)[0];
}

function merchantWhy(fiche: Fiche, m: Merchant, a: Access): Why {
  const own = fiche.prerequisites.merchant;
  if (a.missing.length > 0) return { code: 'missing', missing: a.missing };
  if (!a.accessible) return { code: 'level', need: fiche.maturity, have: m.level };
  const met = own.filter((p) => m.met.has(p));
  if (a.gives.length > 0 || a.lifts)
    return {
      code: 'builds',
      met,
      gives: a.gives,
      ...(a.lifts ? { to: a.lifts } : {}),
    };
  return own.length === 0 ? { code: 'open' } : { code: 'met', met };
}

/** The way there, for a fiche for later: from what it lacks, or from what would lift his level. */
function wayThere(
  ctx: Ctx,
  fiche: Fiche,
  why: Why,
  missing: readonly MissingPrereq[],
): string | undefined {
  const ms = ctx.merchant;
  if (why.code === 'missing') return pathOf(missing);
  if (why.code === 'level' && ms)
    return pathOf(lifting(ctx.catalog, ms).map((p) => describeMissing(ctx.catalog, fiche, ms, p)));
  return undefined;
}

function makeItem(ctx: Ctx, fiche: Fiche, rank: number): RecommendationItem {
  const { catalog, merchant, territory } = ctx;
  const a = merchant ? access(catalog, fiche, merchant.met) : undefined;
  const missing =
    merchant && a ? a.missing.map((p) => describeMissing(catalog, fiche, merchant, p)) : [];
  const pushed = territory?.push.find((p) => p.fiche === fiche.id);
  const postponed = territory?.postpone.find((p) => p.fiche === fiche.id);
  let why: Why = merchant && a ? merchantWhy(fiche, merchant, a) : { code: 'neutral' };
  const decision = pushed ?? postponed;
  if (decision && !merchant) why = { code: pushed ? 'pushed' : 'postponed' };
  const role = merchantRole(fiche);
  const path = wayThere(ctx, fiche, why, missing);
  const impact =
    why.code === 'neutral' || why.code === 'pushed' || why.code === 'postponed'
      ? bestImpact(ctx, fiche)
      : undefined;
  const item: RecommendationItem = {
    fiche,
    rank,
    accessible: a ? a.accessible : true,
    missing,
    why,
    role,
    ...(path ? { path } : {}),
    ...(impact ? { impact } : {}),
  };
  if (pushed) item.pushed = true;
  if (postponed) item.postponed = true;
  if (decision) item.territory = decision;
  if (ctx.audience === 'commercant' && role === 'town')
    item.runByTown = { merchantCan: [...fiche.resources.merchant] };
  return item;
}

// === Ranking

function weightOf(ctx: Ctx, fiche: Fiche): number {
  const weights = ctx.catalog.rules.rankingWeights[ctx.audience] ?? {};
  let total = 0;
  for (const [k, w] of Object.entries(weights) as [ImpactKey, number][])
    total += w * (ctx.catalog.rules.ratingScore[fiche.impacts[k]] ?? 0);
  return total;
}

function isBlocked(catalog: Catalog, fiche: Fiche): boolean {
  return maturityIndex(fiche.maturity) >= maturityIndex(catalog.rules.orderRule.blockedMaturity);
}

function rank(ctx: Ctx, items: RecommendationItem[]): RecommendationItem[] {
  const pushIndex = (id: string) => ctx.territory?.push.findIndex((p) => p.fiche === id) ?? -1;
  const group = (i: RecommendationItem) =>
    pushIndex(i.fiche.id) >= 0 ? 0 : i.postponed ? 3 : i.accessible ? 1 : 2;
  // With a merchant profile, accessible fiches come highest level first (what he can do next);
  // otherwise, and for fiches for later, the simplest first (the guide's order).
  const levelOrder = (a: RecommendationItem, b: RecommendationItem) => {
    const diff = maturityIndex(a.fiche.maturity) - maturityIndex(b.fiche.maturity);
    return ctx.merchant && a.accessible && b.accessible ? -diff : diff;
  };
  const sorted = [...items].sort(
    (a, b) =>
      group(a) - group(b) ||
      pushIndex(a.fiche.id) - pushIndex(b.fiche.id) ||
      levelOrder(a, b) ||
      weightOf(ctx, b.fiche) - weightOf(ctx, a.fiche) ||
      a.fiche.number - b.fiche.number,
  );
  // The order rule (guide p. 42): never a `fort` fiche first while individuel is not validated.
  if (ctx.territory?.orderRuleActive && sorted[0] && isBlocked(ctx.catalog, sorted[0].fiche)) {
    const i = sorted.findIndex((x) => !isBlocked(ctx.catalog, x.fiche));
    if (i > 0) sorted.unshift(...sorted.splice(i, 1));
    else {
      const simplest = [...ctx.catalog.fiches]
        .filter((f) => !isBlocked(ctx.catalog, f))
        .sort(
          (a, b) => maturityIndex(a.maturity) - maturityIndex(b.maturity) || a.number - b.number,
        )[0];
      if (simplest) {
        const it = makeItem(ctx, simplest, 0);
        it.orderRuleFirst = true;
        sorted.unshift(it);
      }
    }
  }
  return sorted.map((it, i) => ({ ...it, rank: i + 1 }));
}

// === First step

function usableFor(ctx: Ctx) {
  return (it: RecommendationItem) =>
    it.accessible &&
    !it.postponed &&
    !(ctx.merchant && it.role === 'town') &&
    !(ctx.territory?.orderRuleActive && isBlocked(ctx.catalog, it.fiche));
}

/**
 * The accessible fiche that builds a prerequisite unlocking the merchant's next level: the
 * objective's own first, then the simplest, then the merchant's impact, then the guide's order.
 */
function unlockingStep(ctx: Ctx, items: RecommendationItem[]): RecommendationItem | undefined {
  const m = ctx.merchant;
  if (!m) return undefined;
  const usable = usableFor(ctx);
  const wanted = lifting(ctx.catalog, m);
  const inList = new Set(items.map((i) => i.fiche.id));
  const candidates: { item: RecommendationItem; prereq: MerchantPrereq }[] = [];
  for (const f of ctx.catalog.fiches) {
    const prereq = builtBy(ctx.catalog, f.id).find((p) => wanted.includes(p));
    if (!prereq) continue;
    const item = items.find((i) => i.fiche.id === f.id) ?? makeItem(ctx, f, 0);
    if (usable(item)) candidates.push({ item, prereq });
  }
  candidates.sort(
    (a, b) =>
      Number(inList.has(b.item.fiche.id)) - Number(inList.has(a.item.fiche.id)) ||
      maturityIndex(a.item.fiche.maturity) - maturityIndex(b.item.fiche.maturity) ||
      weightOf(ctx, b.item.fiche) - weightOf(ctx, a.item.fiche) ||
      a.item.fiche.number - b.item.fiche.number,
  );
  const best = candidates[0];
  if (!best) return undefined;
  const to = levelFor(ctx.catalog, closeImplications(ctx.catalog, [...m.met, best.prereq]));
  return { ...best.item, unlocks: { prereq: best.prereq, to } };
}

function firstStepOf(ctx: Ctx, items: RecommendationItem[]): RecommendationItem | undefined {
  const usable = usableFor(ctx);
  const m = ctx.merchant;
  if (m) {
    // What the objective asks is within reach: its best fiche. Otherwise, or without an
    // objective, what unlocks the next level; at the top level, the best accessible fiche.
    const own = items.filter((i) => i.role !== 'town');
    const allReachable = ctx.objective !== undefined && own.length > 0 && own.every(usable);
    if (!allReachable) {
      const step = unlockingStep(ctx, items);
      if (step) return step;
    }
  }
  const direct = items.find(usable);
  if (direct) return direct;
  const any = rank(
    ctx,
    ctx.catalog.fiches.map((f) => makeItem(ctx, f, 0)),
  ).find(usable);
  return any
    ? { ...any, rank: items.find((i) => i.fiche.id === any.fiche.id)?.rank ?? 0 }
    : undefined;
}

// === Entry point

function toMerchant(catalog: Catalog, m: unknown): Merchant | undefined | 'invalid' {
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || !Array.isArray((m as MerchantAssessment).met)) return 'invalid';
  const raw = m as MerchantAssessment;
  const met = raw.met.filter((p): p is MerchantPrereq => MERCHANT_PREREQS.includes(p));
  const closed = closeImplications(catalog, met);
  const unknownRaw = Array.isArray(raw.unknown) ? raw.unknown : [];
  const unknown = new Set(unknownRaw.filter((p) => MERCHANT_PREREQS.includes(p) && !closed.has(p)));
  return { met: closed, level: levelFor(catalog, closed), unknown };
}

function isTerritory(t: unknown): t is TerritoryAssessment {
  if (typeof t !== 'object' || t === null) return false;
  const x = t as TerritoryAssessment;
  return Array.isArray(x.bilans) && Array.isArray(x.push) && Array.isArray(x.postpone);
}

const fail = (code: CoreErrorCode, detail: CoreErrorDetail): Recommendation => {
  const r = err(code, detail);
  return { items: [], notes: [], ...(r.ok ? {} : { error: r.error }) };
};

/**
 * Ranks the fiches of an objective (or all 14) for an audience, a merchant profile and/or a
 * territory assessment. Bad input comes back in `error` with no items; a bug throws.
 */
export function recommend(catalog: Catalog, req: RecommendationRequest): Recommendation {
  if (typeof req !== 'object' || req === null) return fail('INVALID_INPUT', { what: 'request' });
  if (!AUDIENCES.includes(req.audience as string))
    return fail('UNKNOWN_AUDIENCE', {
      what: 'unknown-audience',
      got: String(req.audience).slice(0, 40),
    });
  if (req.objective !== undefined && !catalog.objectives.some((o) => o.id === req.objective))
    return fail('UNKNOWN_OBJECTIVE', {
      what: 'unknown-objective',
      got: String(req.objective).slice(0, 40),
    });
  const merchant = toMerchant(catalog, req.merchant);
  if (merchant === 'invalid') return fail('INVALID_INPUT', { what: 'merchant-profile' });
  if (req.territory !== undefined && !isTerritory(req.territory))
    return fail('INVALID_INPUT', { what: 'territory' });
  const ctx: Ctx = {
    catalog,
    audience: req.audience,
    ...(req.objective ? { objective: req.objective } : {}),
    ...(merchant ? { merchant } : {}),
    ...(req.territory ? { territory: req.territory } : {}),
  };
  const notes: RecommendationNote[] = [];

  const chosen = catalog.fiches.filter((f) => !req.objective || f.objective === req.objective);
  const ids = new Set(chosen.map((f) => f.id));
  const extra = (req.territory?.push ?? [])
    .map((p) => ficheById(catalog, p.fiche))
    .filter((f): f is Fiche => !!f && !ids.has(f.id));
  const items = rank(
    ctx,
    [...chosen, ...extra].map((f) => makeItem(ctx, f, 0)),
  );
  if (ctx.territory?.orderRuleActive) notes.push({ code: 'order-rule' });
  if (req.sector !== undefined && !catalog.guide.sectors.some((s) => s.id === req.sector))
    notes.push({ code: 'unknown-sector' });
  const firstStep = firstStepOf(ctx, items);
  if (firstStep && !items.slice(0, 1).some((i) => i.fiche.id === firstStep.fiche.id) && merchant) {
    if (!items.some((i) => i.accessible))
      notes.push({ code: 'none-reachable', fiche: firstStep.fiche.id });
  }
  return { items, notes, ...(firstStep ? { firstStep } : {}) };
}

/** A merchant's profile (when he answered P1–P4) and what to recommend him. */
export interface MerchantAdvice {
  merchant?: MerchantAssessment;
  recommendation: Recommendation;
}

/**
 * The merchant's decision, made once: his assessment from his P1–P4 answers (none: no profile)
 * and the ranked fiches for his audience, objective and sector.
 */
export function merchantAdvice(
  catalog: Catalog,
  answers: MerchantAnswers | undefined,
  opts: { audience: Audience; objective?: ObjectiveId; sector?: string },
): MerchantAdvice {
  const merchant = answers ? assessMerchant(catalog, answers) : undefined;
  const recommendation = recommend(catalog, {
    audience: opts.audience,
    ...(merchant ? { merchant } : {}),
    ...(opts.objective ? { objective: opts.objective } : {}),
    ...(opts.sector ? { sector: opts.sector } : {}),
  });
  return { ...(merchant ? { merchant } : {}), recommendation };
}
