/**
 * Small presentation helpers shared by the presenters (merchant result, territory result, fiche
 * and objective pages): button labels, text cut at a sentence rather than mid-figure, a fiche's
 * cost without its own name again, and the solution card. No decisions here: the core decides,
 * these only word and lay out what it decided.
 */
import type { Catalog, Fiche, ObjectiveId } from '../../catalog/schema.js';
import { maturityLabel, type RecommendationItem, readingLabel, type Why } from '../core/index.js';
import { button, card, italic } from '../reply/build.js';
import type { Button, Card } from '../reply/model.js';
import { actionId } from './interpret.js';
import { DIALOGUE_TEXT as D, maturityRequired } from './text/common.js';
import { reasonText } from './text/recommend.js';

/** Longest button label we emit. */
const MAX_LABEL = 60;

/** A label cut at a word boundary to fit a button. */
export function label(text: string, max = MAX_LABEL): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The text, or as many of its first sentences (or « ; » clauses) as fit in `max`: a figure is
 * never cut in two (« il réunissait 250… »). Only a first sentence longer than `max` is cut, at a
 * word boundary before any number it holds.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const ends = [...text.matchAll(/[.;!?](?=\s)/g)].map((m) => (m.index ?? 0) + 1);
  const fit = ends.filter((i) => i <= max).pop();
  if (fit !== undefined && fit >= max / 3) {
    const head = text.slice(0, fit).trimEnd();
    return head.endsWith(';') ? `${head.slice(0, -1).trimEnd()}…` : head;
  }
  const cut = text.slice(0, max - 1);
  const space = cut.search(/\s\S*$/);
  let head = space > 0 ? cut.slice(0, space) : cut;
  // Never end on a number: « 250… » would read as the whole figure.
  head = head.replace(/[\s\d,.]+$/u, '').replace(/\s+\S*\d\S*$/u, '');
  return `${head.trimEnd()}…`;
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A cost line of a fiche without the fiche's own name in front (« Site de vente en ligne : dès
 * 30 € par mois… » → « dès 30 € par mois… »), since the card already carries the title. A prefix
 * that names something else (the providers of fiche 1) is kept.
 */
export function costWithoutName(fiche: Fiche, text: string): string {
  const m = /^([^:]{3,80}?)\s:\s(.+)$/su.exec(text);
  if (!m?.[1] || !m[2]) return text;
  const prefix = normalize(m[1]);
  const title = normalize(fiche.title);
  const firstWord = (s: string) => s.split(' ')[0] ?? '';
  const same =
    title.includes(prefix) || prefix.includes(title) || firstWord(prefix) === firstWord(title);
  if (!same) return text;
  const rest = m[2].trim();
  return upperFirst(rest);
}

/** The first cost of a fiche, without its name, cut at a sentence. */
export function costHint(fiche: Fiche, max = 150): string | undefined {
  const c = fiche.costs[0];
  return c ? clip(costWithoutName(fiche, c.text), max) : undefined;
}

/** « Accessible : … » → « accessible : … », after a label. */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('fr') + text.slice(1);
}

/** « p. 44, page d'après le sommaire », where « guide » is already said. */
export function pageNote(catalog: Catalog, page: number): string {
  return `p. ${page}, ${readingLabel(catalog, 'sommaire-pages')}`;
}

/** « guide p. 30… » → « Guide p. 30… », at the start of a line. */
export function upperFirst(text: string): string {
  return text.charAt(0).toLocaleUpperCase('fr') + text.slice(1);
}

/** Whether a line already says the fiche's maturity (the card then does not repeat it). */
function saysMaturity(why: Why | undefined, reason: string): boolean {
  return why?.code === 'level' || /maturit|niveau/i.test(reason);
}

/** A solution card: title, « Pourquoi » in words, maturity, cost without the name, « Voir la fiche ». */
export function ficheCard(
  catalog: Catalog,
  item: RecommendationItem | { fiche: Fiche; reason: string },
  opts: { whyLabel?: boolean } = {},
): Card {
  const f = item.fiche;
  const cost = costHint(f);
  const why = 'why' in item ? item.why : undefined;
  const reason = 'why' in item ? reasonText(catalog, item) : item.reason;
  return card({
    title: f.title,
    lines: [
      opts.whyLabel === false ? [reason] : [italic(D.why), lowerFirst(reason)],
      ...(saysMaturity(why, reason)
        ? []
        : [[italic(maturityRequired(maturityLabel(catalog, f.maturity)))]]),
      ...(cost ? [[italic(D.cost), cost]] : []),
    ],
    buttons: [button(D.seeFiche, actionId.fiche(f.id))],
  });
}

/** The « Menu » button every result ends with. */
export const menuButton = (): Button => button(D.menuButton, actionId.nav('menu'));

/** The objective of a fiche or by id. */
export function objectiveOf(catalog: Catalog, id: ObjectiveId) {
  return catalog.objectives.find((o) => o.id === id);
}

/** A fiche by id. */
export function ficheOf(catalog: Catalog, id: string): Fiche | undefined {
  return catalog.fiches.find((f) => f.id === id);
}
