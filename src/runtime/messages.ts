/**
 * The few sentences the runtime itself says, in French: fallbacks and notices that do not belong
 * to any dialogue. Kept together so the channels and tests quote the same words.
 */
import { text } from '../reply/build.js';
import type { Reply } from '../reply/model.js';

/** Every turn's last resort (one error boundary per turn). */
export const FALLBACK_TEXT =
  "Désolé, un souci technique m'a empêché de répondre. Vous pouvez réessayer, ou écrire « menu ».";
/** Said before the start replies when a stored conversation belongs to an older flow version. */
export const FLOW_UPDATED_TEXT = 'Le parcours a été mis à jour : reprenons depuis le début.';
/** Said when a stored conversation could not be read back. */
export const CORRUPTED_TEXT =
  "Je n'ai pas pu retrouver la suite de notre conversation : reprenons depuis le début.";
/** Empty message (or only spaces and control characters). */
export const EMPTY_TEXT =
  "Je n'ai reçu aucun texte. Écrivez votre question, ou « menu » pour voir ce que je propose.";
/** Message over the length limit. */
export const TOO_LONG_TEXT =
  'Votre message est un peu long pour moi (plus de 1 000 caractères). Pouvez-vous le résumer en quelques mots ?';
/** A message with no letter or digit (only emoji or punctuation). */
export const NO_WORDS_TEXT =
  "Je ne comprends que les mots pour l'instant. Écrivez votre question, ou « menu » pour voir ce que je propose.";
/** A button id that no version of our dialogues could have sent. */
export const BAD_ACTION_TEXT =
  "Ce bouton n'est plus valable. Écrivez « menu » pour retrouver les choix.";

/** The reply for each of the texts above. */
export function notice(sentence: string): Reply {
  return text(sentence);
}
