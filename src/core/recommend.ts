/**
 * Recommendation (SPEC §4): which fiches, in which order, accessible now or for later, and
 * why — in one French line each. Ranking, accessibility and builders come from
 * `catalog.rules`; the order rule keeps `fort` fiches out of first place while the individuel
 * bilan is below the guide's threshold.
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
import {
  ficheById,
  lowerFirst,
  MERCHANT_PREREQS,
  maturityIndex,
  maturityLabel,
  prereqLabel,
} from './labels.js';
import { closeImplications, levelFor, type MerchantAssessment } from './merchant.js';
import type { CoreError } from './result.js';
import type { TerritoryAssessment } from './territory.js';

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

/** One recommended fiche. */
export interface RecommendationItem {
  fiche: Fiche;
  /** 1-based position in `items`; 0 for a `firstStep` taken from outside the list. */
  rank: number;
  /** Accessible now: merchant prerequisites met and maturity reached (no merchant: nothing blocks it). */
  accessible: boolean;
  missing: MissingPrereq[];
  /** One line, French, never empty. */
  reason: string;
  /** Centre-ville fiches for a merchant: run by the town, and what the merchant can do. */
  runByTown?: { note: string; merchantCan: string[] };
  /** Pushed by the territory bilan (comes first). */
  pushed?: boolean;
  /** Postponed by the territory bilan (order rule, collectif path). */
  postponed?: boolean;
}

/** What to recommend for. */
export interface RecommendationRequest {
  objective?: ObjectiveId;
  audience: Audience;
  merchant?: MerchantAssessment;
  territory?: TerritoryAssessment;
  sector?: string;
}

/** The ranked fiches, general notes, the first accessible thing to do, or a typed error. */
export interface Recommendation {
  items: RecommendationItem[];
  notes: string[];
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
}

// === Accessibility

/** Strict accessibility: prerequisites met and maturity reached. */
function reachable(catalog: Catalog, fiche: Fiche, met: ReadonlySet<MerchantPrereq>): boolean {
  return (
    fiche.prerequisites.merchant.every((p) => met.has(p)) &&
    maturityIndex(levelFor(catalog, met)) >= maturityIndex(fiche.maturity)
  );
}

function buildersOf(catalog: Catalog, p: MerchantPrereq, except?: string): string[] {
  return (catalog.rules.builders[p] ?? []).filter((id) => id !== except && ficheById(catalog, id));
}

/** Prerequisites a fiche builds (inverse of rules.builders). */
function builtBy(catalog: Catalog, ficheId: string): MerchantPrereq[] {
  return MERCHANT_PREREQS.filter((p) => (catalog.rules.builders[p] ?? []).includes(ficheId));
}

/** A builder the merchant can start because what it lacks is what it builds (fiche 2 builds P2). */
function bootstrapable(
  catalog: Catalog,
  ficheId: string,
  met: ReadonlySet<MerchantPrereq>,
): boolean {
  const f = ficheById(catalog, ficheId);
  if (!f) return false;
  return reachable(catalog, f, closeImplications(catalog, [...met, ...builtBy(catalog, ficheId)]));
}

function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[]];
  for (const item of items) for (const s of [...out]) out.push([...s, item]);
  return out;
}

/** The prerequisites a merchant lacks for a fiche: its own, plus the fewest that reach its maturity. */
function missingFor(catalog: Catalog, fiche: Fiche, m: Merchant): MerchantPrereq[] {
  const own = fiche.prerequisites.merchant.filter((p) => !m.met.has(p));
  const base = closeImplications(catalog, [...m.met, ...own]);
  const need = maturityIndex(fiche.maturity);
  let extra: MerchantPrereq[] = [];
  if (maturityIndex(levelFor(catalog, base)) < need) {
    const candidates = MERCHANT_PREREQS.filter((p) => !base.has(p));
    const score = (s: MerchantPrereq[]) =>
      s.filter((p) =>
        buildersOf(catalog, p).some((b) => reachable(catalog, ficheById(catalog, b)!, m.met)),
      ).length *
        10 +
      s.filter((p) => buildersOf(catalog, p).some((b) => bootstrapable(catalog, b, m.met))).length;
    const fitting = subsets(candidates)
      .filter(
        (s) =>
          maturityIndex(levelFor(catalog, closeImplications(catalog, [...base, ...s]))) >= need,
      )
      .sort((a, b) => a.length - b.length || score(b) - score(a));
    extra = fitting[0] ?? candidates;
  }
  const all = new Set([...own, ...extra]);
  return MERCHANT_PREREQS.filter((p) => all.has(p));
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

// === Reasons

function impactNote(ctx: Ctx, fiche: Fiche): string {
  const weights = ctx.catalog.rules.rankingWeights[ctx.audience] ?? {};
  const keys = (Object.keys(weights) as ImpactKey[]).filter((k) => (weights[k] ?? 0) > 0);
  let best: ImpactKey | undefined;
  for (const k of keys) {
    const score = ctx.catalog.rules.ratingScore[fiche.impacts[k]] ?? 0;
    if (score > 0 && (!best || score > (ctx.catalog.rules.ratingScore[fiche.impacts[best]] ?? 0)))
      best = k;
  }
  if (!best) return '';
  const label = ctx.catalog.guide.impacts.find((i) => i.key === best)?.label ?? best;
  return ` ; impact « ${label.toLocaleLowerCase('fr')} » : ${fiche.impacts[best]}`;
}

function merchantReason(ctx: Ctx, fiche: Fiche, missing: MissingPrereq[]): string {
  const { catalog } = ctx;
  const lvl = maturityLabel(catalog, fiche.maturity);
  if (missing.length === 0) {
    const own = fiche.prerequisites.merchant;
    return own.length === 0
      ? `Accessible dès maintenant : aucun prérequis côté commerçant, maturité requise « ${lvl} ».`
      : `Accessible dès maintenant : vous remplissez « ${own.map((p) => prereqLabel(catalog, p)).join(' », « ')} », maturité requise « ${lvl} ».`;
  }
  const labels = missing.map((x) => `« ${x.label} »${x.unknown ? ' (à vérifier)' : ''}`).join(', ');
  const start =
    missing.flatMap((x) => x.accessibleBuilders)[0] ?? missing.flatMap((x) => x.builders)[0];
  const startFiche = start ? ficheById(catalog, start) : undefined;
  const path = startFiche ? ` ; pour y arriver : « ${startFiche.title} »` : '';
  return `Pour plus tard (maturité requise « ${lvl} ») : il vous manque ${labels}${path}.`;
}

function neutralReason(ctx: Ctx, fiche: Fiche): string {
  return `Maturité numérique requise : « ${maturityLabel(ctx.catalog, fiche.maturity)} »${impactNote(ctx, fiche)}.`;
}

function isTownRun(fiche: Fiche): boolean {
  return (
    fiche.types.includes('centre-ville') &&
    !fiche.types.includes('individuelle') &&
    !fiche.types.includes('collectif')
  );
}

function makeItem(ctx: Ctx, fiche: Fiche, rank: number): RecommendationItem {
  const { catalog, merchant, territory } = ctx;
  const missing = merchant
    ? missingFor(catalog, fiche, merchant).map((p) => describeMissing(catalog, fiche, merchant, p))
    : [];
  const pushed = territory?.push.find((p) => p.fiche === fiche.id);
  const postponed = territory?.postpone.find((p) => p.fiche === fiche.id);
  let reason = pushed?.reason ?? postponed?.reason;
  if (!reason) reason = merchant ? merchantReason(ctx, fiche, missing) : neutralReason(ctx, fiche);
  const item: RecommendationItem = {
    fiche,
    rank,
    accessible: missing.length === 0,
    missing,
    reason,
  };
  if (pushed) item.pushed = true;
  if (postponed) item.postponed = true;
  if (ctx.audience === 'commercant' && isTownRun(fiche)) {
    const merchantCan = [...fiche.resources.merchant];
    item.runByTown = {
      note:
        merchantCan.length > 0
          ? 'Cette solution est mise en place par la commune, pas par chaque commerçant : voici ce que vous pouvez y apporter.'
          : 'Cette solution est mise en place par la commune, pas par chaque commerçant : parlez-en à votre mairie ou à votre association de commerçants.',
      merchantCan,
    };
    item.reason = `Portée par la commune — ${item.reason}`;
  }
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
  const sorted = [...items].sort(
    (a, b) =>
      group(a) - group(b) ||
      pushIndex(a.fiche.id) - pushIndex(b.fiche.id) ||
      maturityIndex(a.fiche.maturity) - maturityIndex(b.fiche.maturity) ||
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
        it.reason = `D’abord : ${lowerFirst(ctx.catalog.rules.orderRule.reason)}`;
        sorted.unshift(it);
      }
    }
  }
  return sorted.map((it, i) => ({ ...it, rank: i + 1 }));
}

// === First step

function firstStepOf(ctx: Ctx, items: RecommendationItem[]): RecommendationItem | undefined {
  const usable = (it: RecommendationItem) =>
    it.accessible &&
    !it.postponed &&
    !(ctx.territory?.orderRuleActive && isBlocked(ctx.catalog, it.fiche));
  const direct = items.find(usable);
  if (direct) return direct;
  const m = ctx.merchant;
  if (!m) return undefined;
  const from = (id: string, target: RecommendationItem, p: MissingPrereq) => {
    const inList = items.find((it) => it.fiche.id === id);
    if (inList) return inList;
    const f = ficheById(ctx.catalog, id);
    if (!f) return undefined;
    const it = makeItem(ctx, f, 0);
    it.reason = `Première étape : elle vous amène à « ${p.label} », qui vous manque pour « ${target.fiche.title} ».`;
    return it;
  };
  for (const target of items)
    for (const p of target.missing)
      for (const id of p.accessibleBuilders) {
        const it = from(id, target, p);
        if (it) return it;
      }
  for (const target of items)
    for (const p of target.missing)
      for (const id of buildersOf(ctx.catalog, p.prereq))
        if (bootstrapable(ctx.catalog, id, m.met)) {
          const it = from(id, target, p);
          if (it) return it;
        }
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

const fail = (code: string, message: string): Recommendation => ({
  items: [],
  notes: [message],
  error: { code, message },
});

/**
 * Ranks the fiches of an objective (or all 14) for an audience, a merchant profile and/or a
 * territory assessment. Never throws: bad input comes back in `error` with no items.
 */
export function recommend(catalog: Catalog, req: RecommendationRequest): Recommendation {
  try {
    return run(catalog, req);
  } catch {
    return fail('INTERNAL', 'La recommandation n’a pas pu être établie.');
  }
}

function run(catalog: Catalog, req: RecommendationRequest): Recommendation {
  if (typeof req !== 'object' || req === null)
    return fail('INVALID_INPUT', 'La demande de recommandation est illisible.');
  if (!AUDIENCES.includes(req.audience as string))
    return fail('UNKNOWN_AUDIENCE', `Public inconnu : « ${String(req.audience).slice(0, 40)} ».`);
  if (req.objective !== undefined && !catalog.objectives.some((o) => o.id === req.objective))
    return fail(
      'UNKNOWN_OBJECTIVE',
      `Objectif inconnu : « ${String(req.objective).slice(0, 40)} ».`,
    );
  const merchant = toMerchant(catalog, req.merchant);
  if (merchant === 'invalid')
    return fail('INVALID_INPUT', 'Le profil du commerçant est illisible.');
  if (req.territory !== undefined && !isTerritory(req.territory))
    return fail('INVALID_INPUT', 'Le diagnostic du territoire est illisible.');
  const ctx: Ctx = {
    catalog,
    audience: req.audience,
    ...(merchant ? { merchant } : {}),
    ...(req.territory ? { territory: req.territory } : {}),
  };
  const notes: string[] = [];
  if (req.merchant && typeof req.merchant.explanation === 'string' && req.merchant.explanation)
    notes.push(req.merchant.explanation);

  const chosen = catalog.fiches.filter((f) => !req.objective || f.objective === req.objective);
  const ids = new Set(chosen.map((f) => f.id));
  const extra = (req.territory?.push ?? [])
    .map((p) => ficheById(catalog, p.fiche))
    .filter((f): f is Fiche => !!f && !ids.has(f.id));
  const items = rank(
    ctx,
    [...chosen, ...extra].map((f) => makeItem(ctx, f, 0)),
  );
  if (ctx.territory?.orderRuleActive)
    notes.push(`${catalog.rules.orderRule.reason} (guide p. ${catalog.rules.orderRule.page})`);
  if (req.sector !== undefined && !catalog.guide.sectors.some((s) => s.id === req.sector))
    notes.push('Secteur non reconnu : il n’est pas pris en compte.');
  const firstStep = firstStepOf(ctx, items);
  if (firstStep && !items.slice(0, 1).some((i) => i.fiche.id === firstStep.fiche.id) && merchant) {
    if (!items.some((i) => i.accessible))
      notes.push(
        `Aucune de ces solutions n’est encore à votre portée : commencez par « ${firstStep.fiche.title} ».`,
      );
  }
  return { items, notes, ...(firstStep ? { firstStep } : {}) };
}
