/**
 * `GET /observatoire/:town` (issue 19): the merchants' consented answers of one town as a page
 * the manager de commerce can show — the distribution of levels, the share of each prerequisite
 * against the guide's lines, and the trend per month once every month counts enough answers.
 * The k ≥ 5 rule of the JSON route holds here too: below 5 merchants, no figure but their count (as
 * issue 19 asks; the JSON route says nothing at all); a month
 * is drawn only when every month of the period has 5 answers or more (otherwise the months could
 * be subtracted from the total to reveal a small one). Access: the API's bearer token, or a link
 * signed for one town with an expiry (what `/centreville bilan` posts in Slack).
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Catalog } from '../../catalog/schema.js';
import { esc, percent } from '../plan/escape.js';
import { frenchDate, pageShell } from '../plan/page.js';
import { monthlyLine, shareBars, stackedBar } from '../plan/svg.js';
import type { ShareView } from '../plan/view.js';
import { bold, link, makeReply, para } from '../reply/build.js';
import type { Reply } from '../reply/model.js';
import { aggregateTown, MIN_RESPONDENTS, type TownFigures } from './aggregate.js';
import { bearerMatches } from './http.js';
import { cleanTownName, MAX_TOWN_LENGTH, type RecordStore, townKey } from './records.js';
import { monthLabel } from './replies.js';

/** Where the page lives. */
export const OBSERVATOIRE_PATH = '/observatoire';

/** How long a signed link opens the page. */
export const SIGNED_LINK_DAYS = 7;

/** What the page service needs. */
export interface ObservatoryPagesOptions {
  readonly catalog: Catalog;
  readonly records: Pick<RecordStore, 'listByTown'>;
  /** The server secret (the observatory salt); the signing key is derived from it. */
  readonly secret: Buffer | string;
  /** OBSERVATORY_TOKEN: the bearer that opens any town's page. */
  readonly token?: string;
  /** PUBLIC_URL, for the signed links. */
  readonly publicUrl?: string;
  readonly now?: () => number;
}

/** A page answer, framework-free. */
export interface PageAnswer {
  readonly status: 200 | 401 | 404;
  readonly html: string;
}

/** What the route hands over from the request (all untrusted). */
export interface PageRequest {
  readonly town: string;
  readonly authorization?: unknown;
  readonly exp?: unknown;
  readonly sig?: unknown;
}

/** The observatory pages and their signed links. */
export interface ObservatoryPages {
  /** A link to the town's page, valid {@link SIGNED_LINK_DAYS} days (undefined without PUBLIC_URL). */
  signedUrl(town: string): string | undefined;
  answer(request: PageRequest): Promise<PageAnswer>;
}

/** The reply that gives the town's page under `/centreville bilan`. */
export function observatoryLinkReply(url: string): Reply {
  const label = 'Voir les graphiques';
  return makeReply({
    blocks: [
      para(
        '📊 ',
        bold('Les mêmes chiffres en graphiques'),
        ` : une page à imprimer ou à montrer, valable ${SIGNED_LINK_DAYS} jours. `,
        link(label, url),
      ),
    ],
    links: [{ label, url }],
  });
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function deniedPage(): string {
  return pageShell(
    'Accès réservé — Observatoire des commerçants',
    `<header class="top"><p class="kicker">Observatoire des commerçants</p><h1>Accès réservé</h1></header>
<p>Cette page s’ouvre avec le jeton de l’observatoire, ou avec le lien que donne « /centreville bilan » dans Slack (valable ${SIGNED_LINK_DAYS} jours). Demandez un nouveau lien si le vôtre a expiré.</p>`,
  );
}

function unknownPage(): string {
  return pageShell(
    'Ville inconnue — Observatoire des commerçants',
    `<header class="top"><p class="kicker">Observatoire des commerçants</p><h1>Aucune réponse pour cette ville</h1></header>
<p>Aucun commerçant de cette ville n’a encore été compté. Les chiffres apparaissent quand des commerçants font l’autodiagnostic et acceptent d’être comptés.</p>`,
  );
}

function header(town: string, now: number): string {
  return `<header class="top">
<p class="kicker">Observatoire des commerçants</p>
<h1>${esc(town)} : le numérique des commerces</h1>
<p class="muted">État au ${esc(frenchDate(now))}. Réponses déclarées par les commerçants qui ont fait l’autodiagnostic et accepté d’être comptés, anonymement : ce n’est pas un recensement.</p>
<div class="actions no-print"><button type="button" id="imprimer" hidden>Télécharger en PDF</button></div>
</header>`;
}

function levelsSection(f: TownFigures): string {
  const rows = f.levels
    .map(
      (l) =>
        `<tr><th scope="row">${esc(l.label)}</th><td class="num">${l.count}</td><td class="num">${esc(l.shareText)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="h-levels">
<h2 id="h-levels">Niveaux numériques estimés</h2>
<p class="reading">Le niveau est notre lecture des prérequis du guide, calculé à partir des réponses de chaque commerçant.</p>
<figure>${stackedBar(f.levels.map((l) => ({ label: l.label, count: l.count })))}
<table><caption>Répartition des ${f.respondents} commerçants</caption><thead><tr><th scope="col">Niveau</th><th scope="col">Commerçants</th><th scope="col">Part</th></tr></thead><tbody>${rows}</tbody></table></figure>
</section>`;
}

function prereqSection(f: TownFigures, catalog: Catalog): string {
  const t = catalog.rules.thresholds;
  const shares: ShareView[] = f.measures.map((m) => ({
    label: m.label.charAt(0).toUpperCase() + m.label.slice(1),
    value: m.share,
    ...(m.prereq === 'P3'
      ? {
          threshold: {
            value: t.individuelWebActive,
            label: `seuil du guide : ${t.individuelWebActive} %`,
          },
        }
      : m.prereq === 'P4'
        ? {
            threshold: {
              value: t.collectifStockHigh.value,
              label: `notre repère : ${t.collectifStockHigh.value} % (le guide ne chiffre pas)`,
            },
          }
        : {}),
  }));
  const rows = f.measures
    .map(
      (m) =>
        `<tr><th scope="row">${esc(m.label)}</th><td class="num">${m.count}</td><td class="num">${esc(m.shareText)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="h-prereqs">
<h2 id="h-prereqs">Les prérequis du guide</h2>
<figure>${shareBars(shares)}
<table><caption>Part des ${f.respondents} commerçants qui remplissent chaque prérequis</caption><thead><tr><th scope="col">Prérequis</th><th scope="col">Commerçants</th><th scope="col">Part</th></tr></thead><tbody>${rows}</tbody></table></figure>
<p>${esc(f.bilans.individuel.text)}</p>
<p>${esc(f.bilans.collectif.text)}</p>
</section>`;
}

/** The web-active share (P3) per month, when every month has 5 answers or more. */
export function monthlyTrend(
  catalog: Catalog,
  records: Parameters<typeof aggregateTown>[1],
): { month: string; share: number; respondents: number }[] | undefined {
  const byMonth = new Map<string, typeof records>();
  for (const r of records) byMonth.set(r.month, [...(byMonth.get(r.month) ?? []), r]);
  if (byMonth.size < 2) return undefined;
  if ([...byMonth.values()].some((list) => list.length < MIN_RESPONDENTS)) return undefined;
  return [...byMonth.keys()].sort().map((month) => {
    const list = byMonth.get(month) ?? [];
    const agg = aggregateTown(catalog, list);
    const share =
      agg.status === 'figures' ? (agg.measures.find((m) => m.prereq === 'P3')?.share ?? 0) : 0;
    return { month, share, respondents: list.length };
  });
}

function trendSection(trend: ReturnType<typeof monthlyTrend>): string {
  if (!trend)
    return `<section aria-labelledby="h-trend"><h2 id="h-trend">Tendance par mois</h2>
<p>La tendance s’affichera quand plusieurs mois compteront chacun au moins ${MIN_RESPONDENTS} réponses.</p></section>`;
  const rows = trend
    .map(
      (p) =>
        `<tr><th scope="row">${esc(monthLabel(p.month))}</th><td class="num">${p.respondents}</td><td class="num">${esc(percent(p.share))}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="h-trend">
<h2 id="h-trend">Tendance par mois : part des commerçants présents sur le web</h2>
<figure>${monthlyLine(trend.map((p) => ({ label: monthLabel(p.month), value: p.share })))}
<table><caption>Par mois d’autodiagnostic</caption><thead><tr><th scope="col">Mois</th><th scope="col">Réponses</th><th scope="col">Présents sur le web</th></tr></thead><tbody>${rows}</tbody></table></figure>
</section>`;
}

/** Creates the pages over the records. */
export function createObservatoryPages(options: ObservatoryPagesOptions): ObservatoryPages {
  const key = Buffer.from(
    hkdfSync('sha256', options.secret, 'clic-centre-ville', 'observatoire-link-v1', 32),
  );
  const now = options.now ?? Date.now;
  const base = options.publicUrl?.replace(/\/+$/, '');
  const sign = (town: string, exp: number) =>
    createHmac('sha256', key)
      .update(`${townKey(town)}\n${exp}`, 'utf8')
      .digest('base64url');

  function allowed(request: PageRequest, town: string): boolean {
    const bearer = options.token ? bearerMatches(request.authorization, options.token) : false;
    if (bearer) return true;
    const exp =
      typeof request.exp === 'string' && /^\d{1,12}$/.test(request.exp) ? Number(request.exp) : 0;
    const sig = typeof request.sig === 'string' ? request.sig : '';
    const same = timingSafeEqual(digest(sig), digest(sign(town, exp)));
    return same && exp * 1000 > now();
  }

  return {
    signedUrl(town) {
      const clean = cleanTownName(town);
      if (!base || !clean || !townKey(clean)) return undefined;
      const exp = Math.floor(now() / 1000) + SIGNED_LINK_DAYS * 86_400;
      return `${base}${OBSERVATOIRE_PATH}/${encodeURIComponent(clean)}?exp=${exp}&sig=${sign(clean, exp)}`;
    },
    async answer(request) {
      const town = cleanTownName(request.town);
      if (!town || request.town.length > MAX_TOWN_LENGTH * 2 || !townKey(town))
        return { status: 404, html: unknownPage() };
      if (!allowed(request, town)) return { status: 401, html: deniedPage() };
      const list = await options.records.listByTown(town);
      if (list.length === 0) return { status: 404, html: unknownPage() };
      const agg = aggregateTown(options.catalog, list, { town });
      const at = now();
      if (agg.status === 'too-few')
        return {
          status: 200,
          html: pageShell(
            `Observatoire des commerçants — ${town}`,
            `${header(agg.town, at)}<section aria-labelledby="h-few"><h2 id="h-few">Pas encore de chiffres</h2><p><strong>${countLabel(list.length)}</strong> pour l’instant : aucune part n’est montrée en dessous de ${MIN_RESPONDENTS}.</p><p>${esc(agg.message)}</p></section>`,
          ),
        };
      return {
        status: 200,
        html: pageShell(
          `Observatoire des commerçants — ${town}`,
          [
            header(agg.town, at),
            `<p><strong>${agg.respondents} commerçants</strong> comptés, de ${esc(monthLabel(agg.period.from))} à ${esc(monthLabel(agg.period.to))}.</p>`,
            levelsSection(agg),
            prereqSection(agg, options.catalog),
            trendSection(monthlyTrend(options.catalog, list)),
            `<footer><p>Source des règles et des seuils : « Dynamiser le commerce de centre-ville en un clic ? », Banque des Territoires. Aucun chiffre n’est montré en dessous de ${MIN_RESPONDENTS} commerçants.</p></footer>`,
          ].join('\n'),
        ),
      };
    },
  };
}

/** « 1 commerçant compté », « 4 commerçants comptés »: the only thing shown below 5 (issue 19). */
function countLabel(n: number): string {
  return n === 1 ? '1 commerçant compté' : `${n} commerçants comptés`;
}
