/**
 * What the Slack channel says by itself, as neutral replies: the staff menu, help, contacts and
 * funding, « not found », and the territory bilan posted after the modal. The content comes from
 * the core (`assessTerritory`, `collectiviteSupport`) and the catalog; this file only lays it out.
 * Buttons built here carry a local prefix (`~start:` opens a dialogue at an entry point, `~ui:` is
 * handled by the Slack channel itself) so that they never collide with the runtime's action ids.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { TerritoryAssessment } from '../../src/core/index.js';
import { BILAN_STATUS_LABELS, collectiviteSupport } from '../../src/core/index.js';
import {
  bold,
  button,
  type Inline,
  italic,
  link,
  list,
  makeReply,
  para,
} from '../../src/reply/build.js';
import type { Block, Button, Reply } from '../../src/reply/model.js';

// === Local actions

/** Prefix of a button that starts a runtime dialogue at an entry point (`objectif-2`…). */
export const START_PREFIX = '~start:';
/** Prefix of a button the Slack channel handles itself (open a modal, show contacts…). */
export const UI_PREFIX = '~ui:';

/** The channel's own screens. */
export type UiAction = 'menu' | 'diag' | 'search' | 'contacts' | 'aide' | 'bilan';
const UI_ACTIONS: readonly UiAction[] = ['menu', 'diag', 'search', 'contacts', 'aide', 'bilan'];

/** Reads a `~ui:` action value back (untrusted: it comes from a click). */
export function parseUiAction(value: string): UiAction | undefined {
  return UI_ACTIONS.find((a) => a === value);
}

function uiButton(label: string, action: UiAction): Button {
  return button(label, `${UI_PREFIX}${action}`);
}

function startButton(label: string, entry: string): Button {
  return button(label, `${START_PREFIX}${entry}`);
}

/** « Voir : <titre> » when it fits a button (≤ 60), else « Voir la fiche n ». */
function ficheButton(catalog: Catalog, id: string): Button | undefined {
  const fiche = catalog.fiches.find((f) => f.id === id);
  if (!fiche) return undefined;
  const label = `Voir : ${fiche.title}`;
  return startButton(
    [...label].length <= 60 ? label : `Voir la fiche ${fiche.number}`,
    `fiche-${id}`,
  );
}

// === Menu, help, not found

/** What the menu offers beside the objectives; `bilan` only once the observatory exists. */
export interface MenuOptions {
  readonly townName?: string;
  readonly withBilan?: boolean;
}

/**
 * The staff menu (SPEC §5 Accueil for a collectivité): the five « Je souhaite… » objectives,
 * the territory diagnostic, search, contacts and funding (and the merchants' bilan when built).
 */
export function menuReply(catalog: Catalog, options: MenuOptions = {}): Reply {
  const where = options.townName ? ` pour ${options.townName}` : '';
  const objectives = catalog.objectives.map((o) =>
    startButton(o.menuLabel, `objectif-${o.number}`),
  );
  return makeReply({
    blocks: [
      para(
        bold('Clic Centre-Ville'),
        ` vous aide à choisir les outils numériques utiles au commerce de centre-ville${where}, d’après le guide de la Banque des Territoires.`,
      ),
      para('Que souhaitez-vous faire ?'),
    ],
    buttons: [
      uiButton('Diagnostic du territoire', 'diag'),
      ...objectives,
      uiButton('Chercher une fiche', 'search'),
      uiButton('Contacts et financement', 'contacts'),
      ...(options.withBilan ? [uiButton('Bilan des commerçants', 'bilan')] : []),
    ],
  });
}

/** `/centreville aide`: every subcommand, one line each. */
export function helpReply(command: string, options: MenuOptions = {}): Reply {
  const items: Inline[][] = [
    [bold(`${command}`), ' : le menu'],
    [
      bold(`${command} diagnostic`),
      ' : le diagnostic du territoire (questions du guide), puis le bilan et la feuille de route',
    ],
    [
      bold(`${command} fiche <mots>`),
      ' : la fiche solution qui correspond le mieux, par exemple « fiche stationnement »',
    ],
    [bold(`${command} objectif 1`), ' à ', bold('5'), ' : les solutions d’un objectif du guide'],
    [bold(`${command} contact`), ' : votre contact Banque des Territoires et les financements'],
    ...(options.withBilan
      ? [[bold(`${command} bilan`), ' : le bilan anonyme des commerçants de la ville']]
      : []),
    [bold(`${command} oubli`), ' : effacer vos données'],
  ];
  return makeReply({
    blocks: [
      para(bold('Aide'), ' — les réponses ne sont visibles que par vous.'),
      list(items),
      para('Vous pouvez aussi écrire votre question après la commande, en quelques mots.'),
    ],
    buttons: [uiButton('Ouvrir le menu', 'menu'), uiButton('Diagnostic du territoire', 'diag')],
  });
}

/** The search found nothing convincing: say so, quote the words, offer what works. */
export function notFoundReply(words: string): Reply {
  return makeReply({
    blocks: [
      para('Je n’ai pas trouvé de fiche pour « ', italic(words), ' ».'),
      para(
        'Essayez d’autres mots (par exemple « parking », « fidélité », « vendre en ligne ») ou parcourez le menu.',
      ),
    ],
    buttons: [uiButton('Chercher une fiche', 'search'), uiButton('Ouvrir le menu', 'menu')],
  });
}

/** The observatory is built later (issue 9): say it plainly rather than show a fake bilan. */
export function bilanUnavailableReply(): Reply {
  return makeReply({
    blocks: [
      para(
        'Le bilan des commerçants (leurs autodiagnostics, comptés anonymement) n’est pas encore disponible sur cet espace.',
      ),
    ],
    buttons: [uiButton('Diagnostic du territoire', 'diag'), uiButton('Ouvrir le menu', 'menu')],
  });
}

/** The way on after the merchants' bilan: the territory diagnostic and the menu. */
export function bilanNavigationButtons(): Button[] {
  return [uiButton('Diagnostic du territoire', 'diag'), uiButton('Ouvrir le menu', 'menu')];
}

/** A short notice with a way back to the menu (errors, expired windows…). */
export function noticeReply(sentence: string): Reply {
  return makeReply({ blocks: [para(sentence)], buttons: [uiButton('Ouvrir le menu', 'menu')] });
}

// === Contacts and funding

/** Contacts and funding for the town's region (TOWN_REGION), or every regional contact. */
export function contactsReply(catalog: Catalog, region?: string): Reply {
  const support = collectiviteSupport(catalog, region);
  const blocks: Block[] = [];
  if (support.contact) {
    blocks.push(
      para(
        bold(`Votre contact Banque des Territoires (${support.contact.name})`),
        ' : ',
        link(support.contact.email, `mailto:${support.contact.email}`),
      ),
    );
  } else {
    blocks.push(para(bold('Les contacts régionaux de la Banque des Territoires'), ' :'));
    blocks.push(
      list(
        catalog.contacts.regions.map((r) => [`${r.name} : `, link(r.email, `mailto:${r.email}`)]),
      ),
    );
  }
  blocks.push(para(support.support.text));
  blocks.push(...fundingBlocks(support));
  return makeReply({
    blocks,
    buttons: [uiButton('Diagnostic du territoire', 'diag'), uiButton('Ouvrir le menu', 'menu')],
  });
}

function fundingBlocks(support: ReturnType<typeof collectiviteSupport>): Block[] {
  const { funding } = support;
  return [
    para(bold('Financements mentionnés dans le guide'), ` (p. ${funding.page})`),
    list(funding.measures.map((m) => [bold(m.amount), ` ${m.text}`])),
    ...(funding.others.length > 0 ? [list(funding.others)] : []),
    para(italic(funding.caveat)),
  ];
}

// === The territory bilan

const ROADMAP_NAMES: Readonly<Record<string, string>> = {
  individuel: 'commerçant individuel',
  collectif: 'démarche collective',
  'centre-ville': 'centre-ville',
};

/**
 * The answer to the diagnostic modal (SPEC §5 Diagnostic territoire, DIALOGUES §2): the
 * bilan(s), the roadmap(s) with ★ steps and their « moyens », the fiches to push or postpone,
 * the key success factors, funding and the region's contact. Several replies: the renderer packs
 * them into as few Slack messages as the limits allow.
 */
export function territoryReplies(
  catalog: Catalog,
  assessment: TerritoryAssessment,
  region?: string,
): Reply[] {
  const replies: Reply[] = [];

  // --- Bilans
  const bilanBlocks: Block[] = [];
  for (const b of assessment.bilans) {
    const status = BILAN_STATUS_LABELS[b.status] ?? b.statusLabel;
    bilanBlocks.push(
      para(
        bold(`Bilan « ${ROADMAP_NAMES[b.roadmap] ?? b.roadmap} » : ${status}.`),
        ` ${b.summary}`,
      ),
    );
    const facts = [...b.figures, ...b.gaps, ...b.advice];
    if (facts.length > 0) bilanBlocks.push(list(facts));
  }
  if (assessment.clarifications.length > 0) {
    bilanBlocks.push(para(bold('À vérifier')), list(assessment.clarifications));
  }
  replies.push(makeReply({ blocks: bilanBlocks }));

  // --- Roadmaps with ★
  for (const roadmap of assessment.roadmaps) {
    const steps = roadmap.steps.map((s) => [
      s.star ? '★ ' : '',
      bold(`${s.number}. ${s.title}`),
      ' — ',
      italic(s.means.join(' ; ')),
      ...(s.next ? [' ', bold('← à faire maintenant')] : []),
    ]);
    replies.push(
      makeReply({
        blocks: [
          para(bold(`Feuille de route « ${ROADMAP_NAMES[roadmap.roadmap] ?? roadmap.roadmap} »`)),
          para(italic(roadmap.title)),
          list(steps),
        ],
      }),
    );
  }
  if (assessment.roadmaps.length > 0) {
    replies.push(makeReply({ blocks: [para('★ = étape indispensable au succès du plan.')] }));
  }

  // --- Fiches to push, to postpone
  const titleOf = (id: string) => catalog.fiches.find((f) => f.id === id)?.title ?? id;
  const ficheBlocks: Block[] = [];
  if (assessment.push.length > 0) {
    ficheBlocks.push(
      para(bold('Solutions à lancer maintenant')),
      list(assessment.push.map((p) => [bold(titleOf(p.fiche)), ` — ${p.reason}`])),
    );
  }
  if (assessment.postpone.length > 0) {
    ficheBlocks.push(
      para(bold('Solutions à reporter')),
      list(assessment.postpone.map((p) => [bold(titleOf(p.fiche)), ` — ${p.reason}`])),
    );
  }
  const ficheButtons = assessment.push
    .slice(0, 5)
    .map((p) => ficheButton(catalog, p.fiche))
    .filter((b): b is Button => b !== undefined);
  if (ficheBlocks.length > 0)
    replies.push(makeReply({ blocks: ficheBlocks, buttons: ficheButtons }));

  // --- Success factors, funding, contact
  const support = collectiviteSupport(catalog, region);
  const closing: Block[] = [
    para(bold('Les 6 facteurs clés de succès du guide')),
    list(support.successFactors.map((f) => f.title)),
    ...fundingBlocks(support),
  ];
  if (support.contact) {
    closing.push(
      para(
        bold(`Contact Banque des Territoires ${support.contact.name}`),
        ' : ',
        link(support.contact.email, `mailto:${support.contact.email}`),
      ),
    );
  } else {
    closing.push(
      para(
        'Votre contact régional de la Banque des Territoires est dans « Contacts et financement ».',
      ),
    );
  }
  replies.push(
    makeReply({
      blocks: closing,
      buttons: [
        uiButton('Contacts et financement', 'contacts'),
        uiButton('Refaire le diagnostic', 'diag'),
        uiButton('Ouvrir le menu', 'menu'),
      ],
    }),
  );
  return replies;
}
