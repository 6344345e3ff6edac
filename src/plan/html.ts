/**
 * The plan page as HTML: what a merchant keeps, or what a manager de commerce hands the élus.
 * Sections in reading order (result, what to launch first and later, roadmaps, fiches, contact
 * and funding, source), each chart followed by the same figures in words or in a table. Every
 * string that is not ours goes through `esc`; the town is the only thing the person typed.
 */
import { esc, percent } from './escape.js';
import { frenchDate, pageShell } from './page.js';
import { levelGauge, shareBars } from './svg.js';
import type {
  BilanView,
  FicheView,
  MerchantPlan,
  PendingPlan,
  PlanView,
  RoadmapView,
  SupportView,
  TerritoryPlan,
} from './view.js';

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function printButton(): string {
  return `<div class="actions no-print"><button type="button" id="imprimer" hidden>Télécharger en PDF</button></div>`;
}

function header(kicker: string, title: string, view: PlanView): string {
  return `<header class="top">
<p class="kicker">${esc(kicker)}</p>
<h1>${esc(title)}</h1>
<p class="muted">Mis à jour le ${esc(frenchDate(view.updatedAt))}. Cette page suit votre conversation : elle change si vous refaites le diagnostic, et disparaît avec elle.</p>
${printButton()}
</header>`;
}

/** The first sentence of a long text (examples run to a paragraph; the page keeps one line). */
function firstSentence(text: string, max = 240): string {
  const end = text.search(/[.!?](\s|$)/);
  const sentence = end > 40 ? text.slice(0, end + 1) : text;
  return sentence.length <= max
    ? sentence
    : `${sentence.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

function ficheBlock(f: FicheView, withExample: boolean): string {
  const rows: string[] = [`<dt>Niveau requis</dt><dd>${esc(f.levelLabel)}</dd>`];
  if (f.cost) rows.push(`<dt>Coût indicatif</dt><dd>${esc(f.cost)}</dd>`);
  if (withExample && f.example)
    rows.push(
      `<dt>Exemple</dt><dd>${esc(f.example.name)}${f.example.place ? ` (${esc(f.example.place)})` : ''} : ${esc(firstSentence(f.example.text))}</dd>`,
    );
  rows.push(`<dt>Dans le guide</dt><dd>fiche ${f.number}, p.&nbsp;${f.page}</dd>`);
  return `<article class="fiche">
<h3>${esc(f.title)}</h3>
<p>${esc(f.summary)}</p>
${f.reason ? `<p class="reading">${esc(f.reason)}</p>` : ''}
<dl>${rows.join('')}</dl>
</article>`;
}

function supportSection(s: SupportView, forMerchant: boolean): string {
  const contact = s.contact
    ? `<p>Votre contact Banque des Territoires (${esc(s.contact.name)}) : <a href="mailto:${esc(s.contact.email)}">${esc(s.contact.email)}</a></p>`
    : `<p>Les contacts régionaux de la Banque des Territoires sont p.&nbsp;${s.contactsPage} du guide.</p>`;
  const measures = s.funding.measures
    .map((m) => `<li><strong>${esc(m.amount)}</strong> ${esc(m.text)}</li>`)
    .join('');
  return `<section aria-labelledby="h-support">
<h2 id="h-support">Contact et financements</h2>
${contact}
<h3>Financements mentionnés dans le guide (p.&nbsp;${s.funding.page})${forMerchant ? ', pour les collectivités' : ''}</h3>
<ul>${measures}</ul>
<p class="reading">${esc(s.funding.caveat)}</p>
</section>`;
}

function footer(view: PlanView): string {
  const s = view.source;
  return `<footer>
<p>Source : « ${esc(s.title)} » — ${esc(s.subtitle)}, ${esc(s.publisher)}, ${esc(s.edition)} (<a href="${esc(s.url)}">${esc(s.url.replace(/^https?:\/\//, ''))}</a>). Les chiffres et les règles sont ceux du guide ; les niveaux et les priorités sont notre lecture, et les numéros de page sont pris d’après le sommaire du guide.</p>
<p>Page établie le ${esc(frenchDate(view.updatedAt))} par Clic Centre-Ville.</p>
</footer>`;
}

function merchantBody(v: MerchantPlan): string {
  const where = [v.sector, v.town].filter(Boolean).join(' — ');
  const prereqs = v.prereqs
    .map((p) => {
      const mark =
        p.state === 'met' ? '✓ Acquis' : p.state === 'missing' ? '✗ Manquant' : '? À vérifier';
      return `<li class="${p.state === 'met' ? 'met' : p.state}"><span class="mark">${mark}</span> ${esc(upperFirst(p.label))}</li>`;
    })
    .join('');
  const first = v.first.map((f) => ficheBlock(f, true)).join('');
  const later = v.later.map((f) => ficheBlock(f, true)).join('');
  return [
    header(where ? `Commerce — ${where}` : 'Commerce', 'Mon plan d’action', v),
    `<section aria-labelledby="h-level">
<h2 id="h-level">Votre niveau numérique</h2>
<p class="level">Niveau estimé : <strong>${esc(v.levelLabel)}</strong></p>
${levelGauge(v.levels, v.levelIndex)}
<p class="reading">${esc(v.explanation)}</p>
<h3>Les prérequis du guide</h3>
<ul class="prereqs">${prereqs}</ul>
${v.advice.length > 0 ? `<h3>Pour vérifier ce qui reste incertain</h3><ul>${v.advice.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : ''}
${v.firstStep ? `<div class="first"><p><strong>Votre première étape : ${esc(v.firstStep.title)}</strong></p><p>${esc(v.firstStep.reason)}</p><p class="reading">Le guide conseille de prendre les étapes dans l’ordre.</p></div>` : ''}
</section>`,
    `<section aria-labelledby="h-first">
<h2 id="h-first">À lancer d’abord${v.objective ? ` — ${esc(v.objective)}` : ''}</h2>
${first || '<p>Les solutions demandent un niveau plus élevé : commencez par poser les bases, étape par étape.</p>'}
</section>`,
    later
      ? `<section aria-labelledby="h-later"><h2 id="h-later">Pour plus tard</h2>${later}</section>`
      : '',
    supportSection(v.support, true),
    footer(v),
  ].join('\n');
}

function shareTable(b: BilanView): string {
  if (b.shares.length === 0) return '';
  const rows = b.shares
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.label)}</th><td class="num">${s.value === undefined ? 'inconnu' : esc(percent(s.value))}</td><td>${s.threshold ? esc(s.threshold.label) : '—'}</td></tr>`,
    )
    .join('');
  return `<table><caption>Les chiffres du graphique</caption><thead><tr><th scope="col">Part</th><th scope="col">Valeur</th><th scope="col">Repère</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function bilanBlock(b: BilanView): string {
  const lines = [...b.answers, ...b.gaps, ...b.advice];
  return `<div class="bilan">
<h3>Bilan « ${esc(b.title)} » : <span class="status">${esc(b.statusLabel)}</span></h3>
<p>${esc(b.summary)}</p>
${b.shares.length > 0 ? `<figure>${shareBars(b.shares)}${shareTable(b)}</figure>` : ''}
${lines.length > 0 ? `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}
</div>`;
}

function roadmapBlock(r: RoadmapView): string {
  const steps = r.steps
    .map(
      (s) =>
        `<li${s.next ? ' class="next"' : ''}>${s.star ? '<span aria-hidden="true">★ </span><span class="sr">(indispensable) </span>' : ''}<strong>${esc(s.title)}</strong> — <em>${esc(s.means.join(' ; '))}</em>${s.next ? ' ← prochaine étape' : ''}</li>`,
    )
    .join('');
  return `<div class="bilan"><h3>${esc(r.title)}</h3><ol class="steps">${steps}</ol></div>`;
}

function territoryBody(v: TerritoryPlan): string {
  const first = v.first.map((f) => ficheBlock(f, true)).join('');
  const later = v.later
    .map((l) => `<li><strong>${esc(l.titles.join(', '))}</strong> — ${esc(l.reason)}</li>`)
    .join('');
  return [
    header(v.town ? `Territoire — ${v.town}` : 'Territoire', 'Notre plan d’action numérique', v),
    `<section aria-labelledby="h-bilans">
<h2 id="h-bilans">Les bilans${v.objective ? ` — ${esc(v.objective)}` : ''}</h2>
${v.prefilled ? `<p class="reading">Parts « commerçant individuel » déclarées par les ${v.prefilled.respondents} commerçants de ${esc(v.prefilled.town)} qui ont fait leur autodiagnostic (pas un recensement).</p>` : ''}
${v.bilans.map(bilanBlock).join('')}
</section>`,
    `<section class="page-break" aria-labelledby="h-first">
<h2 id="h-first">À lancer d’abord</h2>
${first || '<p>Rien à lancer avant d’avoir complété les bilans.</p>'}
${later ? `<h3>Plus tard</h3><ul>${later}</ul>` : ''}
</section>`,
    `<section class="page-break" aria-labelledby="h-roadmaps">
<h2 id="h-roadmaps">Les feuilles de route</h2>
<p class="reading">★ = étape indispensable au succès du plan, selon le guide.</p>
${v.roadmaps.map(roadmapBlock).join('')}
</section>`,
    supportSection(v.support, false),
    footer(v),
  ].join('\n');
}

function pendingBody(v: PendingPlan): string {
  return [
    header('Clic Centre-Ville', 'Mon plan d’action', v),
    `<section aria-labelledby="h-pending"><h2 id="h-pending">Diagnostic en cours</h2>
<p>Votre plan apparaîtra ici dès que le résultat du diagnostic sera affiché dans la conversation. Revenez sur cette page ensuite.</p></section>`,
    footer(v),
  ].join('\n');
}

/** The whole plan page. */
export function renderPlanPage(view: PlanView): string {
  switch (view.kind) {
    case 'merchant':
      return pageShell('Mon plan d’action — Clic Centre-Ville', merchantBody(view));
    case 'territory':
      return pageShell('Plan d’action du territoire — Clic Centre-Ville', territoryBody(view));
    default:
      return pageShell('Mon plan d’action — Clic Centre-Ville', pendingBody(view));
  }
}

/** The page answered for an unknown, altered, erased or expired link (with status 404). */
export function notFoundPage(): string {
  return pageShell(
    'Page introuvable — Clic Centre-Ville',
    `<header class="top"><p class="kicker">Clic Centre-Ville</p><h1>Cette page n’existe plus</h1></header>
<p>Ce lien de plan d’action n’est pas (ou plus) valable : la conversation a expiré, ou ses données ont été effacées à la demande.</p>
<p>Refaites le diagnostic pour obtenir un nouveau lien.</p>`,
  );
}
