/**
 * A town's figures as neutral replies (for Slack `/centreville bilan`, or any channel): each
 * share with a simple text bar (`▓▓▓▓▓░░░░░ 57 %`), the guide's question it answers and whether it
 * is an approximation, the bilans with their thresholds, the levels and, when allowed, the
 * sectors — always with n. Pure; adapters add their own navigation buttons.
 */
import { bold, type Inline, italic, list, makeReply, para } from '../reply/build.js';
import type { Block, Reply } from '../reply/model.js';
import { type TownAggregate, type TownFigures, tooFewMessage } from './aggregate.js';

/** Cells of a text bar. */
export const BAR_WIDTH = 10;

/** `▓▓▓▓▓░░░░░`: one cell per 10 %, rounded (full from 95 %, empty below 5 %). */
export function textBar(share: number, width = BAR_WIDTH): string {
  const clamped = Math.min(100, Math.max(0, share));
  const filled = Math.min(width, Math.max(0, Math.round((clamped / 100) * width)));
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** `▓▓▓▓▓░░░░░ 57 %` */
export function barLine(share: number, shareText: string): string {
  return `${textBar(share)} ${shareText}`;
}

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** `2026-03` → « mars 2026 ». */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-');
  const name = MONTHS[Number(m) - 1];
  return name && y ? `${name} ${y}` : month;
}

function periodText(f: TownFigures): string {
  const from = monthLabel(f.period.from);
  const to = monthLabel(f.period.to);
  return from === to ? `en ${from}` : `de ${from} à ${to}`;
}

function figuresReplies(f: TownFigures): Reply[] {
  const n = f.respondents;
  const head: Block[] = [
    para(bold(`Bilan des commerçants de ${f.town}`), ` — ${n} commerçants`),
    para(
      `${n} commerçants de ${f.town} ont fait l’autodiagnostic ${periodText(f)} et accepté d’être comptés, anonymement. Ce sont leurs propres réponses, pas un recensement : lisez chaque part sur ${n} répondants.`,
    ),
  ];
  const measureItems: Inline[][] = f.measures.map((m) => [
    barLine(m.share, m.shareText),
    ' ',
    bold(m.label),
    ` (${m.count} sur ${n}${m.unknown > 0 ? ` ; ${m.unknown} « je ne sais pas »` : ''})`,
    ...(m.guideQuestion ? [italic(` — question du guide : « ${m.guideQuestion} »`)] : []),
  ]);
  const shares = makeReply({
    blocks: [...head, para(bold('Les questions de maturité du guide')), list(measureItems)],
  });

  const notes: Inline[][] = f.measures
    .filter((m) => m.approximation)
    .map((m) => [bold(`${m.prereq} : `), m.approximation ?? '']);
  const bilans = makeReply({
    blocks: [
      para(bold('Les seuils du guide')),
      list([f.bilans.individuel.text, f.bilans.collectif.text]),
      para(
        italic(`Seuil de ${f.bilans.collectif.threshold} % : ${f.bilans.collectif.conventionWhy}`),
      ),
      para(bold('Niveaux numériques')),
      list(
        f.levels.map((l) => [
          barLine(l.share, l.shareText),
          ' ',
          bold(l.label),
          ` (${l.count} sur ${n})`,
        ]),
      ),
      para(
        italic(
          'Le niveau est notre lecture des prérequis du guide (fort : présence en ligne et processus numérisés ; moyen : l’un des deux ; faible : sensibilisé ou démarche marketing), pas une note officielle.',
        ),
      ),
    ],
  });

  const sectorBlocks: Block[] = [para(bold('Par secteur'))];
  if (f.sectors.shown) {
    for (const cell of f.sectors.cells) {
      sectorBlocks.push(
        para(bold(cell.label), ` — ${cell.respondents} commerçants`),
        list(cell.measures.map((m) => [barLine(m.share, m.shareText), ` ${m.label}`])),
      );
    }
  } else sectorBlocks.push(para(f.sectors.reason));
  sectorBlocks.push(para(bold('Comment lire ces chiffres')), list(notes));
  return [shares, bilans, makeReply({ blocks: sectorBlocks })];
}

/** The replies of `/centreville bilan` for a town; an `undefined` aggregate means no record at all. */
export function bilanReplies(aggregate: TownAggregate | undefined, town?: string): Reply[] {
  // No record at all reads exactly like « fewer than 5 »: zero is a count too.
  if (!aggregate) return [makeReply({ blocks: [para(tooFewMessage(town ?? 'cette ville'))] })];
  if (aggregate.status === 'too-few') return [makeReply({ blocks: [para(aggregate.message)] })];
  return figuresReplies(aggregate);
}

/** When no town is known (no TOWN_NAME, nothing after the command). */
export function bilanNeedsTownReply(command = '/centreville'): Reply {
  return makeReply({
    blocks: [
      para(
        'De quelle ville voulez-vous le bilan des commerçants ? Écrivez-la après la commande, par exemple ',
        bold(`${command} bilan Sens`),
        '.',
      ),
    ],
  });
}
