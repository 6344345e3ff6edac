/**
 * Global words (SPEC §5: « menu », « aide », « retour », « recommencer », « contact »,
 * « oublier mes données ») work in every state, so they must be told apart from a question that
 * merely contains the word: only a whole-message intent counts.
 */
import type { Catalog } from '../../catalog/schema.js';
import { findPhrases, MAX_INPUT_CHARS, tokenize } from './text.js';
import { compileVocabulary } from './vocabulary.js';

/** The global commands every dialogue accepts. */
export type GlobalCommand = 'menu' | 'aide' | 'retour' | 'recommencer' | 'contact' | 'oublier';

/** Longest message still read as a command (« je voudrais supprimer mes données svp »). */
const MAX_COMMAND_CHARS = 80;

/**
 * The command the whole message asks for, or undefined. Politeness words (« stp », « merci »,
 * « je veux »…) are set aside first; what is left must be one command phrase, with at most one
 * typo in words of 5 letters or more. « aide-moi à vendre en ligne » is not a command.
 */
export function detectCommand(catalog: Catalog, text: string): GlobalCommand | undefined {
  if (text.length > Math.min(MAX_COMMAND_CHARS * 2, MAX_INPUT_CHARS)) return undefined;
  const tokens = tokenize(text);
  if (tokens.length === 0 || tokens.length > 12) return undefined;
  const vocab = compileVocabulary(catalog);
  const used = new Set<number>();
  for (const m of findPhrases(vocab.politeness, tokens, { gap: 0, fuzzy: false })) {
    if (m.positions.some((p) => used.has(p))) continue;
    for (const p of m.positions) used.add(p);
  }
  const rest = tokens.filter((_, i) => !used.has(i));
  if (rest.length === 0) return undefined;
  for (const m of findPhrases(vocab.commands, rest, { gap: 0, fuzzy: true })) {
    if (m.start === 0 && m.end === rest.length - 1) return m.phrase.value as GlobalCommand;
  }
  return undefined;
}
