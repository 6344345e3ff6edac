/**
 * Slack → what the user asked for. `/centreville <texte>` is read as a subcommand (menu,
 * diagnostic, fiche, aide, contact, bilan, objectif n, oubli) or, failing that, as free text for
 * the dialogue (which falls back to search). Also the conversation identity: one conversation per
 * Slack user in a workspace, key `slack:<team>:<user>`. Pure.
 */
import { conversationKey } from '../../src/runtime/runtime.js';
import { normalizeText } from '../../src/understand/normalize.js';

/** A `/centreville` invocation, understood. */
export type SlashRequest =
  | { readonly kind: 'menu' }
  | { readonly kind: 'diagnostic' }
  | { readonly kind: 'search'; readonly words: string }
  | { readonly kind: 'search-modal' }
  | { readonly kind: 'aide' }
  | { readonly kind: 'contacts' }
  /** The merchants' bilan; `town` when typed after the word (« bilan Sens »). */
  | { readonly kind: 'bilan'; readonly town?: string }
  | { readonly kind: 'entry'; readonly entry: string }
  | { readonly kind: 'text'; readonly text: string };

const FIRST_WORD: Readonly<Record<string, SlashRequest['kind']>> = {
  menu: 'menu',
  accueil: 'menu',
  diagnostic: 'diagnostic',
  diag: 'diagnostic',
  'diagnostic-territoire': 'diagnostic',
  fiche: 'search',
  fiches: 'search',
  chercher: 'search',
  recherche: 'search',
  rechercher: 'search',
  aide: 'aide',
  help: 'aide',
  '?': 'aide',
  contact: 'contacts',
  contacts: 'contacts',
  financement: 'contacts',
  financements: 'contacts',
  bilan: 'bilan',
  observatoire: 'bilan',
};

/** Longest text handed to the dialogue from a command (the runtime also checks). */
const MAX_TEXT = 500;

/** Reads the text after the command. */
export function parseSlashText(input: unknown): SlashRequest {
  const text = typeof input === 'string' ? input.trim().slice(0, MAX_TEXT) : '';
  if (text === '') return { kind: 'menu' };
  const [head = '', ...rest] = text.split(/\s+/u);
  const word = normalizeText(head) || head.toLowerCase();
  const remainder = rest.join(' ').trim();

  // « objectif 3 », « objectif-3 », « o3 »
  const objective = /^(?:objectif-?|o)([1-5])$/.exec(word);
  if (objective) return { kind: 'entry', entry: `objectif-${objective[1]}` };
  if (word === 'objectif' && /^[1-5]$/.test(remainder)) {
    return { kind: 'entry', entry: `objectif-${remainder}` };
  }
  // « oubli », « oublier mes données »: the dialogue's global word handles the confirmation.
  if (word === 'oubli' || word === 'oublier') return { kind: 'text', text: 'oublier mes données' };

  const kind = FIRST_WORD[word] ?? FIRST_WORD[head.toLowerCase()];
  switch (kind) {
    case 'menu':
    case 'diagnostic':
    case 'aide':
    case 'contacts':
      if (remainder === '' || kind === 'menu') return { kind };
      break;
    case 'bilan':
      // « bilan Sens », « bilan de Saint-Julien-du-Sault »: the rest names the town.
      return remainder === ''
        ? { kind }
        : { kind, town: remainder.replace(/^(?:de|d['’]|pour|à)\s*/iu, '').slice(0, 80) };
    case 'search':
      return remainder === '' ? { kind: 'search-modal' } : { kind: 'search', words: remainder };
    default:
      break;
  }
  return { kind: 'text', text };
}

/** The user reference inside the channel: workspace and user ids (never logged). */
export function slackUserRef(teamId: string, userId: string): string {
  return `${teamId}:${userId}`;
}

/** The conversation key of a Slack user: `slack:<team>:<user>`. */
export function slackConversationKey(teamId: string, userId: string): string {
  return conversationKey('slack', slackUserRef(teamId, userId));
}
