/**
 * A town's figures from its merchants' records (SPEC §8, issue 9), pure: respondents, the share
 * of each prerequisite in the guide's words with the maturity question it answers (and whether
 * that is an approximation), the level distribution, a per-sector breakdown only when no shown
 * cell is small, and the guide's thresholds applied (roadmaps p. 39–40) — always with n.
 * Nothing at all is computed below {@link MIN_RESPONDENTS}: the result then says only that.
 */
import type { Catalog, MaturityLevel, MerchantPrereq } from '../../catalog/schema.js';
import { MATURITY_LEVELS } from '../../catalog/schema.js';
import { closeImplications, formatShare, maturityLabel } from '../core/index.js';
import { type ObservatoryRecord, PREREQS } from './records.js';

/** No figure is shown for fewer respondents than this (a town, or a sector cell). */
export const MIN_RESPONDENTS = 5;

// === What each prerequisite measures, in the guide's words

/** How a merchant prerequisite answers one of the guide's maturity questions (pp. 39–40). */
export interface MeasureDefinition {
  readonly prereq: MerchantPrereq;
  /** « part des commerçants … », our phrase for the share. */
  readonly label: string;
  /** The guide's maturity question it stands for, quoted, or undefined when none. */
  readonly guideQuestion?: string;
  /** Roadmap of that question. */
  readonly roadmap?: 'individuel' | 'collectif';
  /** Why it is only an approximation of the guide's question (said to every reader). */
  readonly approximation?: string;
}

/**
 * P1–P4 mapped to the guide's maturity questions, honestly. The merchant questions are not the
 * guide's questions: each row says which one it approximates and how.
 */
export const MEASURES: readonly MeasureDefinition[] = [
  {
    prereq: 'P1',
    label: 'part des commerçants sensibilisés au numérique',
    guideQuestion: 'Part des commerçants de centre-ville connectés à internet ?',
    roadmap: 'individuel',
    approximation:
      'approximation : le commerçant dit avoir suivi une formation au numérique ou utiliser des outils numériques, ce qui suppose une connexion à internet sans la mesurer ; répondre oui à P2, P3 ou P4 compte aussi (notre lecture)',
  },
  {
    prereq: 'P2',
    label: 'part des commerçants ayant initié une démarche marketing',
    approximation:
      'pas de question du guide sur ce point : c’est le prérequis « avoir initié une démarche marketing » des fiches',
  },
  {
    prereq: 'P3',
    label: 'part des commerçants présents sur le web',
    guideQuestion:
      'Part des commerçants présents sur les réseaux sociaux et animant leur page ? Part des commerçants ayant efficacement renseigné leur Google Address ?',
    roadmap: 'individuel',
    approximation:
      'une seule question regroupe fiche Google à jour, page animée sur les réseaux sociaux et site : c’est la part « active sur le web » du bilan, pas chacune des deux parts du guide',
  },
  {
    prereq: 'P4',
    label: 'part des commerçants ayant numérisé leurs processus',
    guideQuestion: 'Part des commerçants ayant une gestion des stocks informatisée ?',
    roadmap: 'collectif',
    approximation:
      'approximation : la question couvre la caisse, les stocks ou les commandes suivis sur ordinateur ou tablette, pas les seuls stocks',
  },
];

// === Result types

/** One prerequisite's share among the respondents. */
export interface MeasureFigure extends MeasureDefinition {
  /** Respondents who meet it (answered oui, or oui to a prerequisite that implies it). */
  readonly count: number;
  /** Respondents who answered « je ne sais pas » and are not counted as meeting it. */
  readonly unknown: number;
  /** count / n in %, rounded to 0.1 (the value compared with the thresholds). */
  readonly share: number;
  /** « 57 % » */
  readonly shareText: string;
}

/** How many respondents have each level. */
export interface LevelFigure {
  readonly level: MaturityLevel;
  readonly label: string;
  readonly count: number;
  readonly share: number;
  readonly shareText: string;
}

/** One sector cell of the breakdown (n ≥ 5 always). */
export interface SectorFigure {
  /** Sector id, or `autres` for the group of small or unspecified sectors. */
  readonly sector: string;
  readonly label: string;
  readonly respondents: number;
  readonly measures: readonly Pick<MeasureFigure, 'prereq' | 'label' | 'share' | 'shareText'>[];
}

/** The guide's bilans applied to the merchants' answers. */
export interface ObservatoryBilans {
  /** Guide p. 39: web-active share (P3) against 60 %. */
  readonly individuel: {
    readonly share: number;
    readonly threshold: number;
    readonly validated: boolean;
    readonly text: string;
  };
  /** Guide p. 40: computerised processes (P4) against the 50 % convention, once individuel holds. */
  readonly collectif: {
    readonly share: number;
    readonly threshold: number;
    readonly convention: true;
    readonly conventionWhy: string;
    /** Undefined while the individuel bilan is not validated (the guide's order). */
    readonly path?: 'place-de-marche' | 'site-vitrine';
    readonly text: string;
  };
}

/** A town with enough respondents: every figure, each read against n. */
export interface TownFigures {
  readonly status: 'figures';
  readonly town: string;
  readonly respondents: number;
  readonly minRespondents: number;
  /** First and last month of the records (`YYYY-MM`). */
  readonly period: { readonly from: string; readonly to: string };
  readonly measures: readonly MeasureFigure[];
  readonly levels: readonly LevelFigure[];
  /** Shown only when every shown cell (and the group of the others) has ≥ 5 respondents. */
  readonly sectors:
    | { readonly shown: true; readonly cells: readonly SectorFigure[] }
    | { readonly shown: false; readonly reason: string };
  readonly bilans: ObservatoryBilans;
}

/**
 * A town with records but fewer than 5 of them. Deliberately without the count, nor how many are
 * missing (which would give the count): with a handful of merchants, staff could tell who took
 * part, and each new record would reveal its author's answers by difference.
 */
export interface TownTooFew {
  readonly status: 'too-few';
  readonly town: string;
  readonly minRespondents: number;
  readonly message: string;
}

/** What {@link aggregateTown} returns. */
export type TownAggregate = TownFigures | TownTooFew;

/** Options of {@link aggregateTown}. */
export interface AggregateOptions {
  /** The town as the caller names it (TOWN_NAME, the command text…); else the records' spelling. */
  readonly town?: string;
}

// === Helpers

/** count / n in %, rounded to one decimal: what is shown is what is compared. */
function percent(count: number, n: number): number {
  return n === 0 ? 0 : Math.round((count / n) * 1000) / 10;
}

/** The later of two `YYYY-MM` months. */
function laterMonth(a: string, b: string): string {
  return a.localeCompare(b) >= 0 ? a : b;
}

/** The most frequent spelling among the records (latest month wins a tie). */
function displayTown(records: readonly ObservatoryRecord[]): string {
  const counts = new Map<string, { n: number; month: string }>();
  for (const r of records) {
    const c = counts.get(r.town) ?? { n: 0, month: r.month };
    counts.set(r.town, { n: c.n + 1, month: laterMonth(r.month, c.month) });
  }
  let best = records[0]?.town ?? '';
  let top = { n: 0, month: '' };
  for (const [town, c] of counts) {
    if (c.n > top.n || (c.n === top.n && c.month > top.month)) {
      best = town;
      top = c;
    }
  }
  return best;
}

function metOf(catalog: Catalog, r: ObservatoryRecord): Set<MerchantPrereq> {
  return closeImplications(
    catalog,
    PREREQS.filter((p) => r.answers[p] === 'yes'),
  );
}

function measuresOf(catalog: Catalog, records: readonly ObservatoryRecord[]): MeasureFigure[] {
  const met = records.map((r) => metOf(catalog, r));
  const n = records.length;
  return MEASURES.map((m) => {
    const count = met.filter((s) => s.has(m.prereq)).length;
    const unknown = records.filter(
      (r, i) => r.answers[m.prereq] === 'unknown' && !met[i]?.has(m.prereq),
    ).length;
    const share = percent(count, n);
    return { ...m, count, unknown, share, shareText: formatShare(share) };
  });
}

function sectorLabel(catalog: Catalog, id: string): string {
  return catalog.guide.sectors.find((s) => s.id === id)?.label ?? id;
}

function sectorsOf(
  catalog: Catalog,
  records: readonly ObservatoryRecord[],
): TownFigures['sectors'] {
  const bySector = new Map<string, ObservatoryRecord[]>();
  for (const r of records) {
    const key = r.sector ?? '';
    bySector.set(key, [...(bySector.get(key) ?? []), r]);
  }
  const big: [string, ObservatoryRecord[]][] = [];
  const rest: ObservatoryRecord[] = [];
  for (const [sector, rs] of bySector) {
    if (sector !== '' && rs.length >= MIN_RESPONDENTS) big.push([sector, rs]);
    else rest.push(...rs);
  }
  if (big.length === 0)
    return {
      shown: false,
      reason: `Aucun secteur ne compte encore ${MIN_RESPONDENTS} réponses : pas de détail par secteur.`,
    };
  // The others form one more cell: shown only if it is not small either, else its figures could
  // be read by difference with the town's.
  if (rest.length > 0 && rest.length < MIN_RESPONDENTS)
    return {
      shown: false,
      reason: `Le détail par secteur laisserait voir un groupe de moins de ${MIN_RESPONDENTS} commerçants : il n’est pas montré.`,
    };
  const cell = (sector: string, label: string, rs: readonly ObservatoryRecord[]): SectorFigure => ({
    sector,
    label,
    respondents: rs.length,
    measures: measuresOf(catalog, rs).map(({ prereq, label: l, share, shareText }) => ({
      prereq,
      label: l,
      share,
      shareText,
    })),
  });
  const catalogOrder = (id: string) => catalog.guide.sectors.findIndex((s) => s.id === id);
  const cells = big
    .sort(([a], [b]) => catalogOrder(a) - catalogOrder(b))
    .map(([sector, rs]) => cell(sector, sectorLabel(catalog, sector), rs));
  if (rest.length > 0) cells.push(cell('autres', 'Autres secteurs ou non précisé', rest));
  return { shown: true, cells };
}

function bilansOf(
  catalog: Catalog,
  measures: readonly MeasureFigure[],
  n: number,
): ObservatoryBilans {
  const { individuelWebActive, collectifStockHigh } = catalog.rules.thresholds;
  const web = measures.find((m) => m.prereq === 'P3')?.share ?? 0;
  const processes = measures.find((m) => m.prereq === 'P4')?.share ?? 0;
  const validated = web >= individuelWebActive;
  const who = `${n} commerçants`;
  const individuel = {
    share: web,
    threshold: individuelWebActive,
    validated,
    text: validated
      ? `Bilan « commerçant individuel » validé : ${formatShare(web)} des ${who} sont présents sur le web, au moins ${formatShare(individuelWebActive)} comme le demande le guide (p. 39). Les étapes suivantes sont possibles.`
      : `Bilan « commerçant individuel » à renforcer : ${formatShare(web)} des ${who} sont présents sur le web, sous les ${formatShare(individuelWebActive)} du guide (p. 39) : l’offre est « insuffisamment gérée », formez et accompagnez d’abord (formation, coaching).`,
  };
  const high = collectifStockHigh.value;
  const path: 'place-de-marche' | 'site-vitrine' | undefined = validated
    ? processes >= high
      ? 'place-de-marche'
      : 'site-vitrine'
    : undefined;
  const collectifText =
    path === undefined
      ? `Volet collectif : pas encore. Le guide (p. 40) ne l’ouvre qu’une fois le bilan individuel validé ; ${formatShare(processes)} des ${who} ont numérisé leurs processus.`
      : path === 'place-de-marche'
        ? `Volet collectif : ${formatShare(processes)} des ${who} ont numérisé leurs processus, au moins ${formatShare(high)} : l’étape « place de marché » peut être envisagée (guide p. 40 ; seuil de ${formatShare(high)} retenu par convention).`
        : `Volet collectif : ${formatShare(processes)} des ${who} ont numérisé leurs processus, sous ${formatShare(high)} : privilégiez un site « vitrine » plutôt qu’une place de marché (guide p. 40 ; seuil de ${formatShare(high)} retenu par convention).`;
  return {
    individuel,
    collectif: {
      share: processes,
      threshold: high,
      convention: true,
      conventionWhy: collectifStockHigh.why,
      ...(path ? { path } : {}),
      text: collectifText,
    },
  };
}

// === The aggregation

/** What is said below 5 respondents (and when there is none: zero is a count too). */
export function tooFewMessage(town: string): string {
  return `Pas encore assez de réponses pour ${town} : les chiffres s’affichent à partir de ${MIN_RESPONDENTS} commerçants ayant fait l’autodiagnostic (sur Telegram ou le widget du site) et accepté d’être comptés. Invitez les commerçants à le faire.`;
}

/**
 * The figures of one town from its records (already filtered by town). Below 5 respondents the
 * result holds no figure at all, not even n.
 */
export function aggregateTown(
  catalog: Catalog,
  records: readonly ObservatoryRecord[],
  options: AggregateOptions = {},
): TownAggregate {
  const town = options.town?.trim() || displayTown(records);
  const n = records.length;
  if (n < MIN_RESPONDENTS) {
    return {
      status: 'too-few',
      town,
      minRespondents: MIN_RESPONDENTS,
      message: tooFewMessage(town),
    };
  }
  const months = records.map((r) => r.month).sort();
  const measures = measuresOf(catalog, records);
  const levels = MATURITY_LEVELS.map((level) => {
    const count = records.filter((r) => r.level === level).length;
    const share = percent(count, n);
    return {
      level,
      label: maturityLabel(catalog, level),
      count,
      share,
      shareText: formatShare(share),
    };
  });
  return {
    status: 'figures',
    town,
    respondents: n,
    minRespondents: MIN_RESPONDENTS,
    period: { from: months[0] ?? '', to: months[months.length - 1] ?? '' },
    measures,
    levels,
    sectors: sectorsOf(catalog, records),
    bilans: bilansOf(catalog, measures, n),
  };
}
