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
import { reasonText } from './text/recommend.js';

const TYPE_LABEL: Record<string, string> = {
  individuelle: 'solution individuelle pour le commerçant',
  collectif: 'solution collective',
  'centre-ville': 'solution de centre-ville (portée par la collectivité)',
};

const IMPACT_LABEL: Record<string, string> = {
  economiqueCourtTerme: 'Impact économique à court terme',
  sensibilisation: 'Sensibilisation au numérique',
  dynamiqueCollective: 'Dynamique collective',
  promotionTerritoire: 'Promotion du territoire',
  fluxPassants: 'Flux de passants',
};

function otherSolutions(catalog: Catalog, f: Fiche): Button[] {
  const o = objectiveOf(catalog, f.objective);
  return o ? [button(label(`Autres solutions : ${o.menuLabel}`), actionId.objective(o.id))] : [];
}

/** « Externalisable : oui, sauf la création de la base de données » (the guide's nuance). */
function externalisable(f: Fiche): string {
  return `${f.externalisable ? 'oui' : 'non'}${f.externalisableExcept ? `, ${f.externalisableExcept}` : ''}`;
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
    subtitle: `Fiche ${f.number} · ${f.types.map((t) => TYPE_LABEL[t] ?? t).join(', ')} · maturité requise : ${maturityLabel(catalog, f.maturity)}`,
    lines: [
      f.summary,
      ...(item ? [[italic('Pourquoi : '), lowerFirst(reasonText(catalog, item))]] : []),
      ...(example
        ? [
            [
              bold('Exemple : '),
              `${example.name}${example.place ? ` (${example.place})` : ''} — ${clip(example.text, 220)}`,
            ],
          ]
        : []),
      ...(cost ? [[bold('Coût indicatif : '), cost]] : []),
      [italic(upperFirst(pageRef(catalog, f.page)))],
    ],
  });
  return [
    makeReply({
      blocks: [],
      cards: [c],
      buttons: [
        button('Détails', actionId.details(f.id)),
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
  section('Ce qu’il faut au commerçant', f.resources.merchant);
  section('Ce qu’il faut à la collectivité', f.resources.collectivite);
  const prereqs = (codes: readonly string[]) =>
    codes.length > 0 ? codes.map((p) => `« ${prereqLabel(catalog, p)} »`).join(', ') : 'aucun';
  section('Prérequis', [
    `Commerçant : ${prereqs(f.prerequisites.merchant)}`,
    `Territoire : ${
      f.prerequisites.territory.length > 0
        ? f.prerequisites.territory
            .map(
              (t) => `« ${prereqLabel(catalog, t.code)} »${t.condition ? ` (${t.condition})` : ''}`,
            )
            .join(', ')
        : 'aucun'
    }`,
  ]);
  section('Implication', [
    `Volume d’implication du porteur de projet : ${f.involvement}`,
    `Externalisable : ${externalisable(f)}`,
  ]);
  section(
    'Coûts indicatifs',
    f.costs.map((c) => `${costWithoutName(f, c.text)} (p. ${c.page})`),
  );
  section(
    'Impacts (+ à +++)',
    Object.entries(f.impacts).map(
      ([k, v]) => `${IMPACT_LABEL[k] ?? k} : ${v === 'n/a' ? 'non applicable' : v}`,
    ),
  );
  section('Points de vigilance', f.vigilance);
  section(
    'Exemples',
    f.examples.map((e) => [
      bold(e.name),
      `${e.place ? ` (${e.place})` : ''} — ${e.text}`,
      ...(e.sector
        ? [
            italic(
              ` (secteur : ${catalog.guide.sectors.find((s) => s.id === e.sector)?.label ?? e.sector}, ${readingLabel(catalog, 'example-sectors')})`,
            ),
          ]
        : []),
    ]),
  );
  section('Acteurs cités dans le guide', f.actors);
  const header = (n: 1 | 2) =>
    para(
      bold(`${f.title} — ${n === 1 ? 'détails' : 'détails (suite)'}`),
      ` (${pageRef(catalog, f.page)})`,
    );
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
        ...(more ? [button('Détails (suite)', actionId.more(f.id))] : []),
        ...otherSolutions(catalog, f),
        menuButton(),
      ],
    }),
  ];
}
