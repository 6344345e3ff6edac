/**
 * A fiche as a person reads it: the summary card (what it is, why for this person, an example,
 * the cost), then « Détails » in two short pages rather than one long one on a phone (resources,
 * prerequisites, implication, impacts; then vigilance, examples, actors, costs).
 */
import type { Catalog, Fiche } from '../../catalog/schema.js';
import {
  type MerchantAdvice,
  maturityLabel,
  pageRef,
  prereqLabel,
  readingLabel,
} from '../core/index.js';
import { bold, button, card, type Inline, italic, list, makeReply, para } from '../reply/build.js';
import type { Block, Button, Reply } from '../reply/model.js';
import { plainText } from '../reply/plain.js';
import { actionId } from './interpret.js';
import {
  clip,
  costHint,
  costWithoutName,
  ficheOf,
  label,
  lowerFirst,
  menuButton,
  objectiveOf,
  upperFirst,
} from './present-common.js';
import { DIALOGUE_TEXT as D, otherSolutionsLabel } from './text/common.js';
import {
  costLine,
  detailsTitle,
  exampleSector,
  externalisableText,
  FICHE_TEXT as F,
  ficheSubtitle,
  IMPACT_LABEL,
  impactLine,
  involvementLines,
  prereqsLine,
} from './text/fiche.js';
import { reasonText } from './text/recommend.js';

function otherSolutions(catalog: Catalog, f: Fiche): Button[] {
  const o = objectiveOf(catalog, f.objective);
  return o ? [button(label(otherSolutionsLabel(o.menuLabel)), actionId.objective(o.id))] : [];
}

/** The summary card: what it is, why for this person, an example, the cost, the page. */
export function ficheSummary(catalog: Catalog, id: string, advice: MerchantAdvice): Reply[] {
  const f = ficheOf(catalog, id);
  if (!f) return [];
  const item = advice.recommendation.items.find((i) => i.fiche.id === f.id);
  const example = f.examples[0];
  const cost = costHint(f);
  const c = card({
    title: f.title,
    subtitle: ficheSubtitle(f.number, f.types, maturityLabel(catalog, f.maturity)),
    lines: [
      f.summary,
      ...(item ? [[italic(D.why), lowerFirst(reasonText(catalog, item))]] : []),
      ...(example
        ? [
            [
              bold(F.example),
              `${example.name}${example.place ? ` (${example.place})` : ''} — ${clip(example.text, 220)}`,
            ],
          ]
        : []),
      ...(cost ? [[bold(D.cost), cost]] : []),
      [italic(upperFirst(pageRef(catalog, f.page)))],
    ],
  });
  return [
    makeReply({
      blocks: [],
      cards: [c],
      buttons: [
        button(D.details, actionId.details(f.id)),
        ...otherSolutions(catalog, f),
        menuButton(),
      ],
    }),
  ];
}

/** About what a phone shows without scrolling much: a details page stays under it. */
const PAGE_BUDGET = 1450;

/**
 * « Détails », in two pages that each fit a phone screen. The sections come in the guide's
 * order (description, resources, prerequisites, implication, costs, impacts, vigilance,
 * examples, actors); the first page takes as many as fit, the second the rest.
 */
export function ficheDetails(catalog: Catalog, id: string, part: 1 | 2 = 1): Reply[] {
  const f = ficheOf(catalog, id);
  if (!f) return [];
  const sections: Block[][] = [[para(f.description)]];
  const section = (title: string, items: readonly (Inline | readonly Inline[])[]) => {
    if (items.length > 0) sections.push([para(bold(title)), list(items)]);
  };
  section(F.merchantNeeds, f.resources.merchant);
  section(F.townNeeds, f.resources.collectivite);
  section(F.prerequisites, [
    prereqsLine(
      'Commerçant',
      f.prerequisites.merchant.map((p) => `« ${prereqLabel(catalog, p)} »`),
    ),
    prereqsLine(
      'Territoire',
      f.prerequisites.territory.map(
        (t) => `« ${prereqLabel(catalog, t.code)} »${t.condition ? ` (${t.condition})` : ''}`,
      ),
    ),
  ]);
  section(
    F.involvement,
    involvementLines(f.involvement, externalisableText(f.externalisable, f.externalisableExcept)),
  );
  section(
    F.costs,
    f.costs.map((c) => costLine(costWithoutName(f, c.text), c.page)),
  );
  section(
    F.impacts,
    Object.entries(f.impacts).map(([k, v]) => impactLine(IMPACT_LABEL[k] ?? k, v)),
  );
  section(F.vigilance, f.vigilance);
  section(
    F.examples,
    f.examples.map((e) => [
      bold(e.name),
      `${e.place ? ` (${e.place})` : ''} — ${e.text}`,
      ...(e.sector
        ? [
            italic(
              exampleSector(
                catalog.guide.sectors.find((s) => s.id === e.sector)?.label ?? e.sector,
                readingLabel(catalog, 'example-sectors'),
              ),
            ),
          ]
        : []),
    ]),
  );
  section(F.actors, f.actors);
  const header = (n: 1 | 2) =>
    para(bold(detailsTitle(f.title, n)), ` (${pageRef(catalog, f.page)})`);
  // The split that makes the longer of the two pages shortest.
  const head = plainText([header(2)]).length;
  const sizes = sections.map((b) => plainText(b).length + 2);
  const total = sizes.reduce((a, b) => a + b, 0);
  let split = sections.length;
  let best = head + total;
  let sum = 0;
  for (let k = 1; k < sections.length; k++) {
    sum += sizes[k - 1] ?? 0;
    const longer = head + Math.max(sum, total - sum);
    if (longer < best) {
      best = longer;
      split = k;
    }
  }
  if (head + total <= PAGE_BUDGET) split = sections.length;
  const page = part === 1 ? sections.slice(0, split) : sections.slice(split);
  const blocks: Block[] = [header(part), ...page.flat()];
  const more = part === 1 && split < sections.length;
  return [
    makeReply({
      blocks,
      buttons: [
        ...(more ? [button(F.more, actionId.more(f.id))] : []),
        ...otherSolutions(catalog, f),
        menuButton(),
      ],
    }),
  ];
}
