/**
 * The territory's side (issue 16): the individuel bilan after its three questions, then one
 * short summary at the end — each bilan in one line, the first thing to launch, the next ★
 * step, what comes later — whose buttons open the rest: each roadmap with its bilan, the fiches
 * to launch, the funding, the contacts. The core decides (bilans, push and postpone with their
 * codes, next steps); this only words and lays out.
 */
import type { Catalog, ObjectiveId, RoadmapId } from '../../catalog/schema.js';
import type { ClicContext, Intent, ResultView } from '../../flows/types.js';
import {
  assessTerritory,
  type Bilan,
  collectifOpen,
  collectiviteSupport,
  formatShare,
  pageRef,
  readingLabel,
  type TerritoryAnswers,
  type TerritoryAssessment,
  type TerritoryFicheDecision,
} from '../core/index.js';
import {
  bold,
  button,
  type Inline,
  italic,
  list,
  makeReply,
  orderedList,
  para,
} from '../reply/build.js';
import type { Block, Button, Card, Reply } from '../reply/model.js';
import { actionId } from './interpret.js';
import { ficheCard, ficheOf, menuButton, pageNote, upperFirst } from './present-common.js';

const BILAN_TITLE: Record<RoadmapId, string> = {
  individuel: 'commerçant individuel',
  collectif: 'collectif',
  'centre-ville': 'centre-ville',
};

function share(v: unknown): number | 'unknown' | undefined {
  if (typeof v === 'number') return v;
  return v === 'unknown' ? 'unknown' : undefined;
}

/** The territory answers recorded in the machine context, in the core's shape. */
export function territoryAnswers(answers: Readonly<Record<string, unknown>>): TerritoryAnswers {
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

function assess(
  catalog: Catalog,
  answers: Readonly<Record<string, unknown>>,
  objective: ObjectiveId | undefined,
  only?: 'individuel',
) {
  const ta = territoryAnswers(answers);
  return assessTerritory(
    catalog,
    only ? { individuel: ta.individuel ?? {} } : ta,
    objective ? { objective } : {},
  );
}

/**
 * A bilan in full: its status and meaning, then its figures, gaps and (unless the roadmap shown
 * below already gives the step to do, with its means) advice.
 */
function bilanBlocks(b: Bilan, withAdvice = true): Block[] {
  const blocks: Block[] = [
    para(bold(`Bilan « ${BILAN_TITLE[b.roadmap]} » : ${b.statusLabel}.`), ` ${b.summary}`),
  ];
  const lines = [...b.figures, ...b.gaps, ...(withAdvice ? b.advice : [])];
  if (lines.length > 0) blocks.push(list(lines));
  return blocks;
}

/** Where the individuel shares came from, when the observatory gave them (issue 9). */
function prefilledBlocks(prefilled: { town: string; respondents: number } | undefined): Block[] {
  if (!prefilled) return [];
  return [
    para(
      italic(
        `Parts « commerçant individuel » déclarées par les ${prefilled.respondents} commerçants de ${prefilled.town} qui ont fait leur autodiagnostic (pas un recensement) : « présents sur le web » vaut pour les réseaux sociaux comme pour la fiche Google, « sensibilisés au numérique » pour « connectés à internet ».`,
      ),
    ),
  ];
}

/** The individuel bilan after its three questions; says why the collectif part waits. */
export function territoryBilanReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'territory-bilan' }>,
): Reply[] {
  const res = assess(catalog, intent.answers, intent.objective, 'individuel');
  if (!res.ok)
    return [
      makeReply({ blocks: [para(`Je n’ai pas pu établir le bilan : ${res.error.message}`)] }),
    ];
  const blocks = res.value.bilans.flatMap((b) => bilanBlocks(b));
  if (!collectifOpen(catalog, intent.answers))
    blocks.push(
      para(
        italic(
          `Le volet collectif n’est pas proposé pour l’instant : le guide le lance une fois au moins ${formatShare(catalog.rules.thresholds.individuelWebActive)} des commerçants actifs sur le web.`,
        ),
      ),
    );
  return [makeReply({ blocks: [...blocks, ...prefilledBlocks(intent.prefilled)] })];
}

// === The final summary

/** The first thing to launch, in a few words by the bilan's code. */
function launchWhy(catalog: Catalog, d: TerritoryFicheDecision): string {
  switch (d.code) {
    case 'order-rule':
      return 'c’est par là que le guide demande de commencer (former et accompagner).';
    case 'centre-ville-gap':
      return `elle répond à un « non » du volet centre-ville (${readingLabel(catalog, 'centre-ville-gaps')}).`;
    default:
      return d.reason.charAt(0).toLocaleLowerCase('fr') + d.reason.slice(1);
  }
}

/** Why the postponed fiches wait, once per code. */
function laterWhy(catalog: Catalog, d: TerritoryFicheDecision): string {
  if (d.code === 'order-rule')
    return `tant que moins de ${formatShare(catalog.rules.thresholds.individuelWebActive)} des commerçants sont actifs sur le web (${readingLabel(catalog, 'order-rule')}).`;
  return d.reason.replace(/^(Plus tard|Pas encore) : /, '');
}

/** The next ★ step: the first roadmap whose step to do now is an indispensable one. */
function nextStar(t: TerritoryAssessment) {
  for (const r of t.roadmaps) {
    const step = r.steps.find((s) => s.next && s.star) ?? r.steps.find((s) => s.next);
    if (step) return { roadmap: r.roadmap, step };
  }
  return undefined;
}

const VIEW_LABEL: Record<ResultView, string> = {
  individuel: 'Feuille de route : commerçants',
  collectif: 'Feuille de route : collectif',
  'centre-ville': 'Feuille de route : centre-ville',
  launch: 'Les fiches à lancer',
  funding: 'Financements',
};

/** The buttons of the summary and of each part it opens: every other part, then contacts. */
function viewButtons(t: TerritoryAssessment, except?: ResultView): Button[] {
  const views: ResultView[] = [
    ...t.roadmaps.map((r) => r.roadmap),
    ...(t.push.length > 0 ? (['launch'] as const) : []),
    'funding',
  ];
  return [
    ...views.filter((v) => v !== except).map((v) => button(VIEW_LABEL[v], actionId.view(v))),
    button('Contacts', actionId.nav('contact')),
  ];
}

/**
 * The end of the territory diagnostic, short enough for a phone: each bilan in one line, the
 * first thing to launch, the next ★ step, what waits and why (once), the region's contact.
 */
export function territoryResultReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'territory-result' }>,
): Reply[] {
  const res = assess(catalog, intent.answers, intent.objective);
  if (!res.ok)
    return [
      makeReply({ blocks: [para(`Je n’ai pas pu établir le bilan : ${res.error.message}`)] }),
    ];
  const t = res.value;
  const blocks: Block[] = [
    para(bold('Votre diagnostic en bref')),
    list(
      t.bilans.map((b) => {
        const title = BILAN_TITLE[b.roadmap];
        return [bold(`${upperFirst(title)} : ${b.statusLabel}`), ` — ${b.headline}`];
      }),
    ),
  ];
  const first = t.push[0];
  const firstFiche = first ? ficheOf(catalog, first.fiche) : undefined;
  if (first && firstFiche)
    blocks.push(
      para(bold('À lancer d’abord : '), firstFiche.title, ` — ${launchWhy(catalog, first)}`),
    );
  const star = nextStar(t);
  if (star)
    blocks.push(
      para(
        bold(`Prochaine étape${star.step.star ? ' ★' : ''} : `),
        star.step.title,
        ` (feuille de route « ${BILAN_TITLE[star.roadmap]} », étape ${star.step.number}).`,
      ),
    );
  if (t.postpone.length > 0) {
    const byCode = new Map<string, TerritoryFicheDecision[]>();
    for (const d of t.postpone) byCode.set(d.code, [...(byCode.get(d.code) ?? []), d]);
    for (const ds of byCode.values()) {
      const titles = ds.map((d) => ficheOf(catalog, d.fiche)?.title).filter(Boolean);
      const d0 = ds[0];
      if (d0 && titles.length > 0)
        blocks.push(para(bold('Plus tard : '), `${titles.join(', ')} — ${laterWhy(catalog, d0)}`));
    }
  }
  blocks.push(...prefilledBlocks(intent.prefilled));
  const contact = collectiviteSupport(catalog, intent.region).contact;
  if (contact)
    blocks.push(para(`Votre contact Banque des Territoires ${contact.name} : ${contact.email}`));
  return [makeReply({ blocks, buttons: viewButtons(t) })];
}

// === The parts the summary opens

/** One part of the territory result: a roadmap with its bilan, the fiches to launch, funding. */
export function resultViewReplies(catalog: Catalog, ctx: ClicContext, view: ResultView): Reply[] {
  const res = assess(catalog, ctx.answers, ctx.objective);
  if (!res.ok) return [supportReply(catalog, ctx.region, true)];
  const t = res.value;
  const buttons = [...viewButtons(t, view), menuButton()];
  if (view === 'funding')
    return [makeReply({ ...supportReply(catalog, undefined, true), buttons })];
  if (view === 'launch') {
    const cards: Card[] = [];
    for (const p of t.push.slice(0, 3)) {
      const f = ficheOf(catalog, p.fiche);
      if (f) cards.push(ficheCard(catalog, { fiche: f, reason: p.reason }));
    }
    return [makeReply({ blocks: [para(bold('À lancer d’abord'))], cards, buttons })];
  }
  const r = t.roadmaps.find((x) => x.roadmap === view);
  const b = t.bilans.find((x) => x.roadmap === view);
  const blocks: Block[] = b ? bilanBlocks(b, !r) : [];
  if (r) {
    const roadmap = catalog.roadmaps.find((x) => x.id === r.roadmap);
    blocks.push(
      para(
        bold(`Feuille de route — ${r.title}`),
        roadmap ? italic(` (${pageRef(catalog, roadmap.page)})`) : '',
      ),
      orderedList(
        r.steps.map((s): Inline[] => [
          s.star ? '★ ' : '',
          bold(s.title),
          ...(s.next ? [' ← prochaine étape : ', italic(s.means.join(' ; '))] : []),
        ]),
      ),
      para(italic('★ = étape indispensable au succès du plan.')),
    );
  }
  return [makeReply({ blocks, buttons })];
}

/** Funding « mentionnés dans le guide », the success factors, and the region's contact. */
export function supportReply(
  catalog: Catalog,
  region: string | undefined,
  withFactors: boolean,
): Reply {
  const support = collectiviteSupport(catalog, region);
  const contact: Block[] = [];
  if (support.contact)
    contact.push(
      para(
        bold(`Votre contact Banque des Territoires ${support.contact.name} : `),
        support.contact.email,
      ),
    );
  else if (region !== undefined || !withFactors)
    contact.push(
      para(
        `Les contacts régionaux de la Banque des Territoires sont dans le guide (${pageNote(catalog, support.contactsPage)}) ; écrivez « contact » et votre région pour avoir le vôtre.`,
      ),
    );
  // Asked for a contact, the contact comes first; in the territory result, after the funding.
  const blocks: Block[] = withFactors ? [] : [...contact];
  if (withFactors) {
    blocks.push(para(bold('Les 6 facteurs clés de succès du guide')));
    blocks.push(list(support.successFactors.map((f) => f.title)));
  }
  blocks.push(
    para(
      bold('Financements mentionnés dans le guide'),
      italic(` (${pageNote(catalog, support.funding.page)})`),
    ),
  );
  blocks.push(list(support.funding.measures.map((m) => [bold(m.amount), ` ${m.text}`])));
  blocks.push(para(italic(support.funding.caveat)));
  if (withFactors) blocks.push(...contact);
  return makeReply({ blocks });
}
