/**
 * The words of a handover, matched before the dialogue sees a message (the runtime wrapper in
 * ./runtime.ts checks them first). The understanding layer may also classify « parler à
 * quelqu’un » as a contact intent: when handover is on, this match wins.
 */

/** Button actions of a handover (short ASCII, valid action ids on every channel). */
export const HANDOVER_ACTIONS = {
  /** « Parler à une personne » (offered on results and contacts). */
  ask: 'handover:ask',
  /** The person agrees to share what the consent lists. */
  consent: 'handover:yes',
  /** The person declines. */
  decline: 'handover:no',
  /** « Reprendre avec l’assistant » while a handover is open. */
  end: 'handover:end',
} as const;

/** What a typed message means for a handover. */
export type HandoverWord = 'ask' | 'end' | 'forget';

/** Lower case, no accents, typographic apostrophes and punctuation folded to spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/[^a-z0-9/]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Asking for a person, inside a short sentence. */
const ASK = [
  'parler a quelqu un',
  'parler a une personne',
  'un humain',
  'une vraie personne',
  'une personne reelle',
  'le manager de commerce',
  'manager de commerce',
];
/** Asking for a person only as the whole message (« les horaires de la mairie » is not). */
const ASK_WHOLE = ['la mairie', 'mairie', 'humain', 'parler a la mairie', 'contacter la mairie'];
const END = ['reprendre avec l assistant', 'c est bon merci', 'c est bon', 'fin de l echange'];
const FORGET = ['oublier mes donnees', '/oubli', 'effacer mes donnees'];

function says(folded: string, phrases: readonly string[]): boolean {
  const padded = ` ${folded} `;
  return phrases.some((p) => padded.includes(` ${p} `));
}

/**
 * The handover meaning of a typed message, or undefined. Asking for a person matches inside a
 * short sentence (« je voudrais parler à quelqu’un ») but not in a long message, which goes to
 * the dialogue (or, during a handover, to the town team) as it is.
 */
export function handoverWord(text: string): HandoverWord | undefined {
  const folded = foldText(text);
  if (folded.length === 0) return undefined;
  if (says(folded, FORGET)) return 'forget';
  if (folded.length <= 60 && END.includes(folded)) return 'end';
  if (ASK_WHOLE.includes(folded) || (folded.length <= 80 && says(folded, ASK))) return 'ask';
  return undefined;
}
