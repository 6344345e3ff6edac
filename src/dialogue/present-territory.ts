/**
 * The territory's side (issue 16): the individuel bilan after its three questions, then one
 * short summary at the end — each bilan in one line, the first thing to launch, the next ★
 * step, what comes later — whose buttons open the rest: each roadmap with its bilan, the fiches
 * to launch, the funding, the contacts. The core decides (bilans, push and postpone with their
 * codes, next steps); this only words and lays out.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { ClicContext, Intent, ResultView, TerritoryDecision } from '../../flows/types.js';
import {
  type Bilan,
  collectiviteSupport,
  pageRef,
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
import { DIALOGUE_TEXT as D } from './text/common.js';
import { coreErrorText } from './text/errors.js';
import {
  BILAN_STATUS_TEXT,
  BILAN_TITLE,
  bilanErrorText,
  bilanHeadlineText,
  bilanLinesText,
  bilanSummaryText,
  bilanTitle,
  collectifClosedText,
  contactLead,
  contactsInGuideText,
  decisionText,
  laterWhyText,
  launchWhyText,
  nextStepTitle,
  nextStepWhere,
  prefilledText,
  roadmapTitle,
  TERRITORY_TEXT as T,
  VIEW_LABEL,
} from './text/territory.js';

/**
 * A bilan in full: its status and meaning, then its figures, gaps and (unless the roadmap shown
 * below already gives the step to do, with its means) advice.
 */
function bilanBlocks(catalog: Catalog, b: Bilan, withAdvice = true): Block[] {
  const blocks: Block[] = [para(bold(bilanTitle(b)), ` ${bilanSummaryText(catalog, b)}`)];
  const lines = bilanLinesText(catalog, b, withAdvice);
  if (lines.length > 0) blocks.push(list(lines));
  return blocks;
}

function errorReply(message: string): Reply {
  return makeReply({ blocks: [para(bilanErrorText(message))] });
}

/** Where the individuel shares came from, when the observatory gave them (issue 9). */
function prefilledBlocks(prefilled: { town: string; respondents: number } | undefined): Block[] {
  if (!prefilled) return [];
  return [para(italic(prefilledText(prefilled)))];
}

/** The individuel bilan after its three questions; says why the collectif part waits. */
export function territoryBilanReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'territory-bilan' }>,
  res: TerritoryDecision,
): Reply[] {
  if (!res.ok) return [errorReply(coreErrorText(catalog, res.error))];
  const blocks = res.value.bilans.flatMap((b) => bilanBlocks(catalog, b));
  if (res.value.collectifNotYet)
    blocks.push(para(italic(collectifClosedText(catalog.rules.thresholds.individuelWebActive))));
  return [makeReply({ blocks: [...blocks, ...prefilledBlocks(intent.prefilled)] })];
}

// === The final summary

/** The next ★ step: the first roadmap whose step to do now is an indispensable one. */
function nextStar(t: TerritoryAssessment) {
  for (const r of t.roadmaps) {
    const step = r.steps.find((s) => s.next && s.star) ?? r.steps.find((s) => s.next);
    if (step) return { roadmap: r.roadmap, step };
  }
  return undefined;
}

/** The buttons of the summary and of each part it opens: every other part, then contacts. */
function viewButtons(t: TerritoryAssessment, except?: ResultView): Button[] {
  const views: ResultView[] = [
    ...t.roadmaps.map((r) => r.roadmap),
    ...(t.push.length > 0 ? (['launch'] as const) : []),
    'funding',
  ];
  return [
    ...views.filter((v) => v !== except).map((v) => button(VIEW_LABEL[v], actionId.view(v))),
    button(T.contactsButton, actionId.nav('contact')),
  ];
}

/**
 * The end of the territory diagnostic, short enough for a phone: each bilan in one line, the
 * first thing to launch, the next ★ step, what waits and why (once), the region's contact.
 */
export function territoryResultReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'territory-result' }>,
  res: TerritoryDecision,
): Reply[] {
  if (!res.ok) return [errorReply(coreErrorText(catalog, res.error))];
  const t = res.value;
  const blocks: Block[] = [
    para(bold(T.summaryTitle)),
    list(
      t.bilans.map((b) => [
        bold(`${upperFirst(BILAN_TITLE[b.roadmap])} : ${BILAN_STATUS_TEXT[b.status]}`),
        ` — ${bilanHeadlineText(catalog, b)}`,
      ]),
    ),
  ];
  const first = t.push[0];
  const firstFiche = first ? ficheOf(catalog, first.fiche) : undefined;
  if (first && firstFiche)
    blocks.push(para(bold(T.launchFirst), firstFiche.title, ` — ${launchWhyText(catalog, first)}`));
  const star = nextStar(t);
  if (star)
    blocks.push(
      para(
        bold(nextStepTitle(star.step.star)),
        star.step.title,
        nextStepWhere(star.roadmap, star.step.number),
      ),
    );
  if (t.postpone.length > 0) {
    const byCode = new Map<string, TerritoryFicheDecision[]>();
    for (const d of t.postpone) byCode.set(d.code, [...(byCode.get(d.code) ?? []), d]);
    for (const ds of byCode.values()) {
      const titles = ds.map((d) => ficheOf(catalog, d.fiche)?.title).filter(Boolean);
      const d0 = ds[0];
      if (d0 && titles.length > 0)
        blocks.push(para(bold(T.later), `${titles.join(', ')} — ${laterWhyText(catalog, d0)}`));
    }
  }
  blocks.push(...prefilledBlocks(intent.prefilled));
  const contact = collectiviteSupport(catalog, intent.region).contact;
  if (contact) blocks.push(para(`${contactLead(contact.name)}${contact.email}`));
  return [makeReply({ blocks, buttons: viewButtons(t) })];
}

// === The parts the summary opens

/** One part of the territory result: a roadmap with its bilan, the fiches to launch, funding. */
export function resultViewReplies(
  catalog: Catalog,
  ctx: ClicContext,
  view: ResultView,
  res: TerritoryDecision,
): Reply[] {
  if (!res.ok) return [supportReply(catalog, ctx.region, true)];
  const t = res.value;
  const buttons = [...viewButtons(t, view), menuButton()];
  if (view === 'funding')
    return [makeReply({ ...supportReply(catalog, undefined, true), buttons })];
  if (view === 'launch') {
    const cards: Card[] = [];
    for (const p of t.push.slice(0, 3)) {
      const f = ficheOf(catalog, p.fiche);
      if (f) cards.push(ficheCard(catalog, { fiche: f, reason: decisionText(catalog, p) }));
    }
    return [makeReply({ blocks: [para(bold(T.launchTitle))], cards, buttons })];
  }
  const r = t.roadmaps.find((x) => x.roadmap === view);
  const b = t.bilans.find((x) => x.roadmap === view);
  const blocks: Block[] = b ? bilanBlocks(catalog, b, !r) : [];
  if (r) {
    const roadmap = catalog.roadmaps.find((x) => x.id === r.roadmap);
    blocks.push(
      para(
        bold(roadmapTitle(r.title)),
        roadmap ? italic(` (${pageRef(catalog, roadmap.page)})`) : '',
      ),
      orderedList(
        r.steps.map((s): Inline[] => [
          s.star ? '★ ' : '',
          bold(s.title),
          ...(s.next ? [T.nextStepMark, italic(s.means.join(' ; '))] : []),
        ]),
      ),
      para(italic(T.starLegend)),
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
    contact.push(para(bold(contactLead(support.contact.name)), support.contact.email));
  else if (region !== undefined || !withFactors)
    contact.push(para(contactsInGuideText(pageNote(catalog, support.contactsPage))));
  // Asked for a contact, the contact comes first; in the territory result, after the funding.
  const blocks: Block[] = withFactors ? [] : [...contact];
  if (withFactors) {
    blocks.push(para(bold(T.factorsTitle)));
    blocks.push(list(support.successFactors.map((f) => f.title)));
  }
  blocks.push(para(bold(D.fundingTitle), italic(` (${pageNote(catalog, support.funding.page)})`)));
  blocks.push(list(support.funding.measures.map((m) => [bold(m.amount), ` ${m.text}`])));
  blocks.push(para(italic(support.funding.caveat)));
  if (withFactors) blocks.push(...contact);
  return makeReply({ blocks });
}
