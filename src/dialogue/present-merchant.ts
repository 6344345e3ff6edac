/**
 * The merchant's side (issue 16): the self-diagnostic's result and the objective pages, in a
 * merchant's voice. The core decides (level, accessibility, role, first step, `why` codes);
 * this only lays it out: what he can launch himself, highest level first; what to propose to
 * his mairie, apart; the first step and why; what comes later and what it lacks.
 */
import type { Catalog, ObjectiveId } from '../../catalog/schema.js';
import type { ClicContext, Intent } from '../../flows/types.js';
import {
  assessMerchant,
  type MerchantAnswers,
  type MerchantAssessment,
  maturityLabel,
  pageRef,
  prereqLabel,
  type RecommendationItem,
  readingLabel,
  recommend,
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

/** The P1–P4 answers recorded in the dialogue, in the core's shape. */
export function merchantAnswers(
  answers: Readonly<Record<string, unknown>>,
): MerchantAnswers | undefined {
  const out: MerchantAnswers = {};
  let any = false;
  for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
    const v = answers[p];
    if (v === 'yes' || v === 'no' || v === 'unknown') {
      out[p] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** The merchant's assessment from the dialogue's answers, when he gave any. */
export function merchantOf(catalog: Catalog, ctx: ClicContext): MerchantAssessment | undefined {
  const answers = merchantAnswers(ctx.answers);
  return answers ? assessMerchant(catalog, answers) : undefined;
}

/**
 * « Pour plus tard » in a list, from the core's code: what the guide asks that he lacks, or the
 * level (our reading). The way there is the first step, said once above.
 */
function laterLine(catalog: Catalog, item: RecommendationItem): Inline[] {
  const why = item.why;
  const text =
    why.code === 'missing'
      ? `il vous manque ${item.missing.map((m) => `« ${m.label} »${m.unknown ? ' (à vérifier)' : ''}`).join(', ')}`
      : why.code === 'level'
        ? `le guide la situe au niveau « ${maturityLabel(catalog, why.need)} » (le vôtre : « ${maturityLabel(catalog, why.have)} », ${readingLabel(catalog, 'merchant-level')})`
        : lowerFirst(item.reason);
  return [bold(item.fiche.title), ` — ${text}.`];
}

/** The level line: the level, what it rests on, and that it is our reading. */
function levelBlocks(catalog: Catalog, merchant: MerchantAssessment): Block[] {
  const basis =
    merchant.met.length === 0
      ? 'aucun prérequis du guide acquis pour l’instant'
      : `prérequis du guide acquis : ${merchant.met.map((p) => prereqLabel(catalog, p)).join(', ')}`;
  return [
    para('Votre niveau numérique estimé : ', bold(merchant.levelLabel), '.'),
    para(
      italic(
        `${upperFirst(basis)} (${readingLabel(catalog, 'merchant-level')}, pas une note officielle).`,
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
          italic('Un exemple du guide dans votre secteur : '),
          bold(e.name),
          `${e.place ? ` (${e.place})` : ''}, pour « ${f.title} » (${readingLabel(catalog, 'example-sectors')}).`,
        ),
      ];
  }
  return [];
}

/** The self-diagnostic's result: level, own fiches, first step, later, the mairie's. */
export function merchantResultReplies(
  catalog: Catalog,
  intent: Extract<Intent, { type: 'merchant-result' }>,
): Reply[] {
  const merchant = assessMerchant(catalog, merchantAnswers(intent.answers) ?? {});
  const rec = recommend(catalog, {
    audience: 'commercant',
    merchant,
    ...(intent.objective ? { objective: intent.objective } : {}),
    ...(intent.sector ? { sector: intent.sector } : {}),
  });
  const o = intent.objective ? objectiveOf(catalog, intent.objective) : undefined;
  const own = rec.items.filter((i) => i.role !== 'town');
  const accessible = own.filter((i) => i.accessible).slice(0, 3);
  const first = rec.firstStep;
  const later = own.filter((i) => !i.accessible && i.fiche.id !== first?.fiche.id).slice(0, 3);
  const mairie = rec.items.filter((i) => i.role === 'town');

  const blocks: Block[] = [...levelBlocks(catalog, merchant)];
  if (merchant.clarifications.length > 0) blocks.push(list(merchant.clarifications));
  if (merchant.advice.length > 0) blocks.push(list(merchant.advice));
  const about = o ? `Pour « ${o.menuLabel} », ` : '';
  blocks.push(
    para(
      accessible.length > 0
        ? `${about}${about ? 'voici' : 'Voici'} ce que vous pouvez lancer dès maintenant, le plus avancé d’abord :`
        : `${about}${about ? 'les' : 'Les'} solutions demandent un niveau plus élevé : commencez par la première étape ci-dessous.`,
    ),
  );
  const cards = accessible.map((item) => ficheCard(catalog, item));

  const tail: Block[] = [];
  if (first)
    tail.push(
      para(bold('Votre première étape : '), first.fiche.title, ` — ${lowerFirst(first.reason)}`),
    );
  if (later.length > 0)
    tail.push(para(bold('Pour plus tard')), list(later.map((i) => laterLine(catalog, i))));
  if (mairie.length > 0)
    tail.push(
      para(
        bold('À proposer à votre mairie : '),
        `${mairie.map((i) => i.fiche.title).join(', ')} — des solutions que la commune met en place (${readingLabel(catalog, 'merchant-roles')}).`,
      ),
    );
  tail.push(
    ...sectorExample(catalog, intent.sector, [
      ...(first ? [first.fiche.id] : []),
      ...accessible.map((i) => i.fiche.id),
    ]),
  );
  tail.push(para(italic('Le guide conseille de prendre les étapes dans l’ordre.')));
  return [
    makeReply({ blocks, cards }),
    makeReply({
      blocks: tail,
      buttons: first
        ? [button(label(`Voir la fiche : ${first.fiche.title}`), actionId.fiche(first.fiche.id))]
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
    blocks: [para('Et maintenant, que visez-vous d’abord ?')],
    buttons: catalog.objectives.map((o) => button(label(o.menuLabel), actionId.objective(o.id))),
  };
}

/**
 * An objective's page: titled for the audience (a merchant reads « Vendre par de nouveaux
 * canaux », the guide's « Je souhaite… » in a smaller line), what it is about, then its fiches
 * ranked for this person.
 */
export function objectiveReplies(catalog: Catalog, ctx: ClicContext, id: ObjectiveId): Reply[] {
  const o = objectiveOf(catalog, id);
  if (!o) return [];
  const merchant = merchantOf(catalog, ctx);
  const rec = recommend(catalog, {
    objective: id,
    audience: ctx.audience ?? 'visiteur',
    ...(merchant ? { merchant } : {}),
    ...(ctx.sector ? { sector: ctx.sector } : {}),
  });
  const forTown = ctx.audience === 'collectivite';
  const cards = rec.items.map((item) => ficheCard(catalog, item));
  const buttons: Button[] = [];
  if (!merchant && !forTown)
    buttons.push(button('Mon diagnostic (4 questions)', actionId.diag('commercant')));
  if (forTown) buttons.push(button('Diagnostiquer mon territoire', actionId.diag('territoire')));
  buttons.push(button('Autre objectif', actionId.nav('menu')));
  const levels = new Set(rec.items.map((i) => i.fiche.maturity));
  const intro = merchant
    ? `Les solutions, classées pour votre niveau (${merchant.levelLabel}) :`
    : levels.size > 1
      ? 'Les solutions du guide, les plus simples d’abord :'
      : `Les solutions du guide (maturité requise : ${maturityLabel(catalog, [...levels][0] ?? 'faible')}) :`;
  return [
    makeReply({
      blocks: [
        forTown ? para(bold(o.title)) : para(bold(o.menuLabel)),
        para(
          italic(
            forTown
              ? `${pageRef(catalog, o.page)}.`
              : `Dans le guide : « ${o.title} » (${pageRef(catalog, o.page)}).`,
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
