/**
 * What the plan page shows, computed from a conversation's machine context with the core's own
 * functions (the same ones the chat replies use): the merchant's level and prerequisites, or the
 * town's bilans with their shares, what to launch first and later, the roadmaps with their ★
 * steps, the fiches concerned, the regional contact and the funding the guide mentions. Pure: no
 * I/O, no HTML. A diagnostic still being answered gives a « pending » view, so the page follows
 * the conversation (a redone diagnostic shows its new result as soon as it is shown in the chat).
 */
import type { Catalog, Fiche, MaturityLevel, RoadmapId } from '../../catalog/schema.js';
import {
  CENTRE_VILLE_QUESTIONS,
  type ClicContext,
  COLLECTIF_QUESTIONS,
  INDIVIDUEL_QUESTIONS,
  MERCHANT_QUESTIONS,
} from '../../flows/types.js';
import {
  assessMerchant,
  assessTerritory,
  collectiviteSupport,
  maturityLabel,
  merchantAnswersOf,
  prereqLabel,
  recommend,
  type TerritoryAnswers,
  territoryAnswersOf,
} from '../core/index.js';
import { levelExplanationText, merchantAdviceText } from '../dialogue/text/merchant.js';
import { reasonText } from '../dialogue/text/recommend.js';
import {
  BILAN_STATUS_TEXT,
  bilanLineText,
  bilanSummaryText,
  decisionText,
} from '../dialogue/text/territory.js';

// === The view

/** One fiche as the page lists it: enough to act on, with the guide's page. */
export interface FicheView {
  readonly number: number;
  readonly title: string;
  readonly summary: string;
  readonly levelLabel: string;
  readonly page: number;
  readonly cost?: string;
  readonly example?: { readonly name: string; readonly place?: string; readonly text: string };
  /** Our one-line reading of why it fits (or what is missing). */
  readonly reason?: string;
}

/** A share drawn as a bar, with the guide's line when there is one. */
export interface ShareView {
  readonly label: string;
  /** 0–100, or undefined when the answer was « je ne sais pas ». */
  readonly value?: number;
  readonly threshold?: { readonly value: number; readonly label: string };
}

/** One bilan of the territory diagnostic. */
export interface BilanView {
  readonly roadmap: RoadmapId;
  readonly title: string;
  readonly statusLabel: string;
  readonly summary: string;
  readonly shares: readonly ShareView[];
  /** Yes/no answers (centre-ville), as « label : oui ». */
  readonly answers: readonly string[];
  readonly figures: readonly string[];
  readonly gaps: readonly string[];
  readonly advice: readonly string[];
}

/** A roadmap with its steps, ★ and the next one. */
export interface RoadmapView {
  readonly title: string;
  readonly steps: readonly {
    readonly number: number;
    readonly title: string;
    readonly means: readonly string[];
    readonly star: boolean;
    readonly next: boolean;
  }[];
}

/** Regional contact and funding (guide). */
export interface SupportView {
  readonly contact?: { readonly name: string; readonly email: string };
  readonly contactsPage: number;
  readonly funding: {
    readonly page: number;
    readonly measures: readonly { readonly amount: string; readonly text: string }[];
    readonly caveat: string;
  };
}

/** The guide as source. */
export interface SourceView {
  readonly title: string;
  readonly subtitle: string;
  readonly publisher: string;
  readonly edition: string;
  readonly url: string;
}

interface Common {
  /** The town the person typed (the only thing of theirs the page shows). */
  readonly town?: string;
  /** The objective chosen in the conversation (its menu label), if any. */
  readonly objective?: string;
  readonly support: SupportView;
  readonly source: SourceView;
  /** When the conversation last changed (epoch ms). */
  readonly updatedAt: number;
}

/** A merchant's plan. */
export interface MerchantPlan extends Common {
  readonly kind: 'merchant';
  readonly sector?: string;
  readonly level: MaturityLevel;
  readonly levelLabel: string;
  /** 0 for « très faible » … 3 for « fort ». */
  readonly levelIndex: number;
  readonly levels: readonly string[];
  readonly explanation: string;
  readonly prereqs: readonly {
    readonly code: string;
    readonly label: string;
    readonly state: 'met' | 'missing' | 'unknown';
  }[];
  readonly advice: readonly string[];
  readonly first: readonly FicheView[];
  readonly later: readonly FicheView[];
  readonly firstStep?: { readonly title: string; readonly reason: string };
}

/** A town's plan. */
export interface TerritoryPlan extends Common {
  readonly kind: 'territory';
  readonly bilans: readonly BilanView[];
  readonly first: readonly FicheView[];
  readonly later: readonly { readonly titles: readonly string[]; readonly reason: string }[];
  readonly roadmaps: readonly RoadmapView[];
  readonly prefilled?: { readonly town: string; readonly respondents: number };
}

/** A diagnostic being answered, or none yet. */
export interface PendingPlan {
  readonly kind: 'pending';
  readonly source: SourceView;
  readonly updatedAt: number;
}

/** What the plan page shows. */
export type PlanView = MerchantPlan | TerritoryPlan | PendingPlan;

// === Building it

const ROADMAP_TITLE: Record<RoadmapId, string> = {
  individuel: 'Commerçant individuel',
  collectif: 'Collectif',
  'centre-ville': 'Centre-ville',
};

/** Questions asked before a result: while one of them is the prompt, the result is not out. */
const ASKING = new Set<string>([
  'sector',
  ...MERCHANT_QUESTIONS,
  'town',
  ...INDIVIDUEL_QUESTIONS,
  ...COLLECTIF_QUESTIONS,
  ...CENTRE_VILLE_QUESTIONS,
  'next',
  'region',
  'prefill',
]);

function answered(v: unknown): boolean {
  return v !== undefined;
}

function inQuestionnaire(ctx: ClicContext): boolean {
  const p = ctx.prompt.kind === 'question' ? ctx.prompt : undefined;
  const held = ctx.held?.kind === 'question' ? ctx.held : undefined;
  return (
    (p !== undefined && ASKING.has(p.question)) || (held !== undefined && ASKING.has(held.question))
  );
}

function sourceOf(catalog: Catalog): SourceView {
  const s = catalog.guide.source;
  return {
    title: s.title,
    subtitle: s.subtitle,
    publisher: s.publisher,
    edition: s.edition,
    url: s.url,
  };
}

function supportOf(catalog: Catalog, region: string | undefined): SupportView {
  const s = collectiviteSupport(catalog, region);
  return {
    ...(s.contact ? { contact: { name: s.contact.name, email: s.contact.email } } : {}),
    contactsPage: s.contactsPage,
    funding: {
      page: s.funding.page,
      measures: s.funding.measures.map((m) => ({ amount: m.amount, text: m.text })),
      caveat: s.funding.caveat,
    },
  };
}

/** A fiche with its first cost, first example, level and page. */
export function ficheView(catalog: Catalog, f: Fiche, reason?: string): FicheView {
  const cost = f.costs[0];
  const example = f.examples[0];
  return {
    number: f.number,
    title: f.title,
    summary: f.summary,
    levelLabel: maturityLabel(catalog, f.maturity),
    page: f.page,
    ...(cost ? { cost: cost.text } : {}),
    ...(example
      ? {
          example: {
            name: example.name,
            ...(example.place ? { place: example.place } : {}),
            text: example.text,
          },
        }
      : {}),
    ...(reason ? { reason } : {}),
  };
}

function merchantPlan(catalog: Catalog, ctx: ClicContext, common: Common): MerchantPlan {
  const answers = merchantAnswersOf(ctx.answers) ?? {};
  const merchant = assessMerchant(catalog, answers);
  const rec = recommend(catalog, {
    audience: 'commercant',
    merchant,
    ...(ctx.objective ? { objective: ctx.objective } : {}),
    ...(ctx.sector ? { sector: ctx.sector } : {}),
  });
  const levels = catalog.guide.maturityLevels;
  const sector = ctx.sector ? catalog.guide.sectors.find((s) => s.id === ctx.sector) : undefined;
  return {
    kind: 'merchant',
    ...common,
    ...(sector ? { sector: sector.label } : {}),
    level: merchant.level,
    levelLabel: merchant.levelLabel,
    levelIndex: Math.max(
      0,
      levels.findIndex((l) => l.id === merchant.level),
    ),
    levels: levels.map((l) => l.label),
    explanation: levelExplanationText(catalog, merchant),
    prereqs: MERCHANT_QUESTIONS.map((code) => ({
      code,
      label: prereqLabel(catalog, code),
      state: merchant.met.includes(code)
        ? ('met' as const)
        : answers[code] === 'no'
          ? ('missing' as const)
          : ('unknown' as const),
    })),
    advice: merchantAdviceText(catalog, merchant),
    first: rec.items
      .filter((i) => i.accessible)
      .slice(0, 3)
      .map((i) => ficheView(catalog, i.fiche, reasonText(catalog, i))),
    later: rec.items
      .filter((i) => !i.accessible)
      .slice(0, 3)
      .map((i) => {
        const missing = i.missing.map((m) => `« ${m.label} »`).join(', ');
        return ficheView(
          catalog,
          i.fiche,
          missing ? `Il vous manque : ${missing}.` : reasonText(catalog, i),
        );
      }),
    ...(rec.firstStep
      ? {
          firstStep: {
            title: rec.firstStep.fiche.title,
            reason: reasonText(catalog, rec.firstStep),
          },
        }
      : {}),
  };
}

function sharesOf(catalog: Catalog, roadmap: RoadmapId, ta: TerritoryAnswers, web?: number) {
  const r = catalog.roadmaps.find((x) => x.id === roadmap);
  const short = (id: string) => r?.questions.find((q) => q.id === id)?.short ?? id;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const t = catalog.rules.thresholds;
  const out: ShareView[] = [];
  const withValue = (
    label: string,
    value: number | undefined,
    threshold?: ShareView['threshold'],
  ) =>
    out.push({
      label,
      ...(value !== undefined ? { value } : {}),
      ...(threshold ? { threshold } : {}),
    });
  if (roadmap === 'individuel') {
    const i = ta.individuel ?? {};
    withValue('Actifs sur le web', web, {
      value: t.individuelWebActive,
      label: `seuil du guide : ${t.individuelWebActive} %`,
    });
    withValue(short('connectes'), num(i.connectes));
    withValue(short('reseaux-sociaux'), num(i['reseaux-sociaux']));
    withValue(short('fiche-google'), num(i['fiche-google']), {
      value: t.listingTarget,
      label: `objectif du guide : ${t.listingTarget} %`,
    });
  } else if (roadmap === 'collectif') {
    const c = ta.collectif ?? {};
    withValue(short('stocks-informatises'), num(c['stocks-informatises']), {
      value: t.collectifStockHigh.value,
      label: `notre repère : ${t.collectifStockHigh.value} % (le guide ne chiffre pas)`,
    });
    withValue(short('adherents-association'), num(c['adherents-association']));
  }
  return out;
}

function yesNo(catalog: Catalog, roadmap: RoadmapId, ta: TerritoryAnswers): string[] {
  const r = catalog.roadmaps.find((x) => x.id === roadmap);
  if (!r) return [];
  const given: Record<string, unknown> =
    roadmap === 'centre-ville'
      ? (ta.centreVille ?? {})
      : roadmap === 'collectif'
        ? (ta.collectif ?? {})
        : {};
  const out: string[] = [];
  for (const q of r.questions) {
    const v = given[q.id];
    if (v === undefined) continue;
    if (q.kind === 'yesno')
      out.push(`${q.short} : ${v === 'yes' ? 'oui' : v === 'no' ? 'non' : 'je ne sais pas'}`);
    if (q.kind === 'choice')
      out.push(`${q.short} : ${q.options.find((o) => o.id === v)?.label ?? 'je ne sais pas'}`);
  }
  return out;
}

function territoryPlan(
  catalog: Catalog,
  ctx: ClicContext,
  common: Common,
): TerritoryPlan | undefined {
  const ta = territoryAnswersOf(ctx.answers);
  const res = assessTerritory(catalog, ta, ctx.objective ? { objective: ctx.objective } : {});
  if (!res.ok) return undefined;
  const value = res.value;
  const byReason = new Map<string, string[]>();
  for (const p of value.postpone) {
    const f = catalog.fiches.find((x) => x.id === p.fiche);
    const reason = decisionText(catalog, p);
    if (f) byReason.set(reason, [...(byReason.get(reason) ?? []), f.title]);
  }
  return {
    kind: 'territory',
    ...common,
    bilans: value.bilans.map((b) => ({
      roadmap: b.roadmap,
      title: ROADMAP_TITLE[b.roadmap] ?? b.roadmap,
      statusLabel: BILAN_STATUS_TEXT[b.status],
      summary: bilanSummaryText(catalog, b),
      shares: sharesOf(catalog, b.roadmap, ta, b.webActiveShare),
      answers: yesNo(catalog, b.roadmap, ta),
      figures: b.figures.map((l) => bilanLineText(catalog, l)),
      gaps: b.gaps.map((l) => bilanLineText(catalog, l)),
      advice: b.advice.map((l) => bilanLineText(catalog, l)),
    })),
    first: value.push.slice(0, 3).flatMap((p) => {
      const f = catalog.fiches.find((x) => x.id === p.fiche);
      return f ? [ficheView(catalog, f, decisionText(catalog, p))] : [];
    }),
    later: [...byReason].map(([reason, titles]) => ({ titles, reason })),
    roadmaps: value.roadmaps.map((r) => ({
      title: r.title,
      steps: r.steps.map((s) => ({
        number: s.number,
        title: s.title,
        means: s.means,
        star: s.star,
        next: s.next,
      })),
    })),
    ...(ctx.prefilled ? { prefilled: ctx.prefilled } : {}),
  };
}

/**
 * The plan of a conversation: the merchant's or the town's result once it has been shown, else a
 * pending view. `updatedAt` is the conversation's last change (epoch ms).
 */
export function planView(catalog: Catalog, ctx: ClicContext, updatedAt: number): PlanView {
  const source = sourceOf(catalog);
  const pending: PendingPlan = { kind: 'pending', source, updatedAt };
  if (inQuestionnaire(ctx)) return pending;
  const objective = ctx.objective
    ? catalog.objectives.find((o) => o.id === ctx.objective)
    : undefined;
  const common: Common = {
    ...(ctx.town ? { town: ctx.town } : {}),
    ...(objective ? { objective: objective.menuLabel } : {}),
    support: supportOf(catalog, ctx.region),
    source,
    updatedAt,
  };
  if (MERCHANT_QUESTIONS.every((p) => answered(ctx.answers[p])))
    return merchantPlan(catalog, ctx, common);
  if (INDIVIDUEL_QUESTIONS.every((q) => answered(ctx.answers[q])))
    return territoryPlan(catalog, ctx, common) ?? pending;
  return pending;
}
