/**
 * Understanding what people type (issue 4): global commands, typed answers, sectors, regions and
 * free-text search over the guide. Pure functions over the catalog, used by every dialogue.
 */
export { parseShare, parseYesNo, type ShareParse, type YesNoUnknown } from './answers.js';
export { detectCommand, type GlobalCommand } from './commands.js';
export { type Intents, readIntents } from './intents.js';
export { normalizeText } from './normalize.js';
export { isOverseasRegion, parseRegion, parseSector } from './places.js';
export {
  CONFIDENCE_THRESHOLD,
  createSearch,
  type Search,
  type SearchHit,
  type SearchResult,
} from './search.js';
