/**
 * The merchant's side (issue 16): the self-diagnostic's result and the objective pages, in a
 * merchant's voice. The core decides (level, accessibility, role, first step, `why` codes);
 * this only lays it out: what he can launch himself, highest level first; what to propose to
 * his mairie, apart; the first step and why; what comes later and what it lacks.
 */
import type { Catalog, ObjectiveId } from '../../catalog/schema.js';
import type { ClicContext, Intent } from '../../flows/types.js';
import {
  type MerchantAdvice,
  type MerchantAssessment,
  maturityLabel,
  pageRef,
  type RecommendationItem,
  readingLabel,
} from '../core/index.js';
import { bold, button, type Inline, italic, list, makeReply, para } from '../reply/build.js';
import type { Block, Button, Reply } from '../reply/model.js';
import { actionId } from './interpret.js';
import {
  clip,
  ficheCard,
  ficheOf,
  label,
  lowerFirst,
  objectiveOf,
  upperFirst,
} from './present-common.js';
import {
  aboveLevelText,
  exampleForText,
  inGuideText,
  levelBasisText,
  MERCHANT_TEXT as M,
  mairieText,
  merchantAdviceText,
  merchantClarificationText,
  missingText,
  oneMaturityText,
  ownIntroText,
  rankedForLevelText,
  seeFicheLabel,
} from './text/merchant.js';
import { reasonText } from './text/recommend.js';

/**
 * « Pour plus tard » in a list, from the core's code: what the guide asks that he lacks, or the
 * level (our reading). The way there is the first step, said once above.
 */
function laterLine(catalog: Catalog, item: RecommendationItem): Inline[] {
  const why = item.why;
  const text =
    why.code === 'missing'
      ? missingText(item.missing)
      : why.code === 'level'
        ? aboveLevelText(
            maturityLabel(catalog, why.need),
            maturityLabel(catalog, why.have),
            readingLabel(catalog, 'merchant-level'),
          )
        : lowerFirst(reasonText(catalog, item));
  return [bold(item.fiche.title), ` — ${text}.`];
}

/** The level line: the level, what it rests on, and that it is our reading. */
function levelBlocks(catalog: Catalog, merchant: MerchantAssessment): Block[] {
  const basis = levelBasisText(catalog, merchant);
  return [
    para(M.levelLead, bold(merchant.levelLabel), '.'),
    para(
      italic(
        `${upperFirst(basis)} (${readingLabel(catalog, 'merchant-level')}, ${M.notOfficial}).`,
      ),
    ),
  ];
}

/**
 * An example of the guide from the merchant's own trade, when one exists: the fiches shown
 * first, then any (the trade is read in the example's name, and said so).
 */
function sectorExample(
  catalog: Catalog,
  sector: string | undefined,
  shown: readonly string[],
): Block[] {
  if (!sector) return [];
  const order = [...shown, ...catalog.fiches.map((f) => f.id).filter((id) => !shown.includes(id))];
  for (const id of order) {
    const f = ficheOf(catalog, id);
    const e = f?.examples.find((x) => x.sector === sector);
    if (f && e)
      return [
        para(
          italic(M.exampleLead),
          bold(e.name),
          exampleForText(e.place, f.title, readingLabel(catalog, 'example-sectors')),
        ),
      ];
  }
  return [];
}

/** The self-diagnostic's result: level, own fiches, first step, later, the mairie's. */
export function merchantResultReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'merchant-result' }>,
  advice: MerchantAdvice,
): Reply[] {
  const { merchant, recommendation: rec } = advice;
  if (!merchant) return [];
  const o = intent.objective ? objectiveOf(catalog, intent.objective) : undefined;
  const own = rec.items.filter((i) => i.role !== 'town');
  const accessible = own.filter((i) => i.accessible).slice(0, 3);
  const first = rec.firstStep;
  const later = own.filter((i) => !i.accessible && i.fiche.id !== first?.fiche.id).slice(0, 3);
  const mairie = rec.items.filter((i) => i.role === 'town');

  const blocks: Block[] = [...levelBlocks(catalog, merchant)];
  const clarifications = merchant.clarifications.map((c) => merchantClarificationText(catalog, c));
  if (clarifications.length > 0) blocks.push(list(clarifications));
  const findOut = merchantAdviceText(catalog, merchant);
  if (findOut.length > 0) blocks.push(list(findOut));
  blocks.push(para(ownIntroText(o?.menuLabel, accessible.length > 0)));
  const cards = accessible.map((item) => ficheCard(catalog, item));

  const tail: Block[] = [];
  if (first)
    tail.push(
      para(bold(M.firstStep), first.fiche.title, ` — ${lowerFirst(reasonText(catalog, first))}`),
    );
  if (later.length > 0)
    tail.push(para(bold(M.later)), list(later.map((i) => laterLine(catalog, i))));
  if (mairie.length > 0)
    tail.push(
      para(
        bold(M.mairie),
        mairieText(
          mairie.map((i) => i.fiche.title),
          readingLabel(catalog, 'merchant-roles'),
        ),
      ),
    );
  tail.push(
    ...sectorExample(catalog, intent.sector, [
      ...(first ? [first.fiche.id] : []),
      ...accessible.map((i) => i.fiche.id),
    ]),
  );
  tail.push(para(italic(M.inOrder)));
  return [
    makeReply({ blocks, cards }),
    makeReply({
      blocks: tail,
      buttons: first
        ? [button(label(seeFicheLabel(first.fiche.title)), actionId.fiche(first.fiche.id))]
        : [],
    }),
  ];
}

/**
 * After the merchant's diagnostic with no objective chosen: one short question, the five
 * objectives in a merchant's words (the next page ranks their fiches for his level).
 */
export function objectiveQuestion(catalog: Catalog): { blocks: Block[]; buttons: Button[] } {
  return {
    blocks: [para(M.whatNext)],
    buttons: catalog.objectives.map((o) => button(label(o.menuLabel), actionId.objective(o.id))),
  };
}

/**
 * An objective's page: titled for the audience (a merchant reads « Vendre par de nouveaux
 * canaux », the guide's « Je souhaite… » in a smaller line), what it is about, then its fiches
 * ranked for this person.
 */
export function objectiveReplies(
  catalog: Catalog,
  ctx: ClicContext,
  id: ObjectiveId,
  advice: MerchantAdvice,
): Reply[] {
  const o = objectiveOf(catalog, id);
  if (!o) return [];
  const { merchant, recommendation: rec } = advice;
  const forTown = ctx.audience === 'collectivite';
  const cards = rec.items.map((item) => ficheCard(catalog, item));
  const buttons: Button[] = [];
  if (!merchant && !forTown) buttons.push(button(M.diagnosticButton, actionId.diag('commercant')));
  if (forTown) buttons.push(button(M.territoryButton, actionId.diag('territoire')));
  buttons.push(button(M.otherObjective, actionId.nav('menu')));
  const levels = new Set(rec.items.map((i) => i.fiche.maturity));
  const intro = merchant
    ? rankedForLevelText(merchant.levelLabel)
    : levels.size > 1
      ? M.simplestFirst
      : oneMaturityText(maturityLabel(catalog, [...levels][0] ?? 'faible'));
  return [
    makeReply({
      blocks: [
        forTown ? para(bold(o.title)) : para(bold(o.menuLabel)),
        para(
          italic(
            forTown
              ? `${pageRef(catalog, o.page)}.`
              : inGuideText(o.title, pageRef(catalog, o.page)),
          ),
        ),
        para(forTown ? o.what : clip(o.what, 200)),
        ...(forTown ? [para(o.why)] : []),
        para(intro),
      ],
      cards,
      buttons,
    }),
  ];
}
