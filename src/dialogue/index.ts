/**
 * The dialogue layer: the DialogueEngine implementation over the XState flows (flows/), the
 * decoding of what users send, and the rendering of intents into French replies.
 */
export {
  type ClicDialogueEngine,
  createDialogueEngine,
  type DialogueEngineOptions,
  MAX_TEXT,
  type ObservatoryProvider,
} from './engine.js';
export { actionId, decodeAction, decodeEntry, textEvent, understand } from './interpret.js';
export { type RenderContext, renderIntents } from './render.js';
export { DIALOGUE_TEXT } from './text/common.js';
