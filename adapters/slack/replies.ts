/**
 * What the Slack channel says by itself, as neutral replies: the staff menu of its commands, help,
 * « not found » and notices. Everything the guide decides — bilans, roadmaps, contacts and funding
 * — comes from the dialogue through the runtime, worded as on every other channel.
 * Buttons built here carry a local prefix (`~start:` opens a dialogue at an entry point, `~ui:` is
 * handled by the Slack channel itself) so that they never collide with the runtime's action ids.
 */
import type { Catalog } from '../../catalog/schema.js';
import { DIALOGUE_TEXT as D } from '../../src/dialogue/index.js';
import { bold, button, type Inline, list, makeReply, para } from '../../src/reply/build.js';
import type { Button, Reply } from '../../src/reply/model.js';

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
      uiButton(D.searchButton, 'search'),
      uiButton(D.contactButton, 'contacts'),
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
      ' : les fiches solutions du guide qui correspondent le mieux, par exemple « fiche stationnement »',
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
