/**
 * The merchants' observatory (SPEC §8, issue 9): the guide's maturity questions answered by the
 * merchants themselves, counted anonymously with their consent. Pure aggregation and replies,
 * the records port (implemented by every store), the salted identity, the service the server
 * wires into the runtime, and the bearer-protected JSON route. See docs/observatory.md.
 */
import { getCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/schema.js';
import type { Config } from '../config.js';
import type { Store } from '../storage/types.js';
import { loadSalt, type SaltSource } from './identity.js';
import { createObservatory, type Observatory, type ObservatoryLogger } from './service.js';

export {
  type AggregateOptions,
  aggregateTown,
  type LevelFigure,
  MEASURES,
  type MeasureDefinition,
  type MeasureFigure,
  MIN_RESPONDENTS,
  type ObservatoryBilans,
  type SectorFigure,
  type TownAggregate,
  type TownFigures,
  type TownTooFew,
  tooFewMessage,
} from './aggregate.js';
export {
  bearerMatches,
  OBSERVATORY_ROUTE,
  type ObservatoryHttpResponse,
  type ObservatoryReader,
  type ObservatoryRoutesOptions,
  observatoryResponse,
} from './http.js';
export {
  identityHash,
  type LoadSaltOptions,
  loadSalt,
  SALT_BYTES,
  SALT_FILE_NAME,
  SaltFileError,
  type SaltSource,
} from './identity.js';
export {
  cleanTownName,
  MAX_TOWN_LENGTH,
  type ObservatoryRecord,
  ObservatoryRecordSchema,
  parseRecord,
  type RecordStore,
  townKey,
} from './records.js';
export { barLine, bilanNeedsTownReply, bilanReplies, monthLabel, textBar } from './replies.js';
export {
  type BilanQuery,
  createObservatory,
  DEFAULT_KEEP_MONTHS,
  InvalidRecordError,
  monthsBefore,
  type Observatory,
  type ObservatoryDeps,
  type ObservatoryLogger,
  prefillOffer,
} from './service.js';

/** What {@link openObservatory} needs: the settings, the open store, a logger. */
export interface OpenObservatoryOptions {
  readonly config: Pick<Config, 'dataDir' | 'observatory' | 'redisUrl' | 'town'>;
  readonly store: Pick<Store, 'records'>;
  readonly logger: ObservatoryLogger & { info(obj: object, msg?: string): void };
  readonly catalog?: Catalog;
}

/**
 * The observatory of a running server: the salt from OBSERVATORY_SALT or DATA_DIR (generated
 * once), the store's records, and TOWN_NAME read into the prefill cache. Several instances
 * (REDIS_URL) must share one salt: without OBSERVATORY_SALT a warning says so.
 */
export function openObservatory(options: OpenObservatoryOptions): {
  observatory: Observatory;
  saltSource: SaltSource;
} {
  const { config, logger } = options;
  const { salt, source } = loadSalt({
    ...(config.observatory.salt ? { configured: config.observatory.salt } : {}),
    dataDir: config.dataDir,
  });
  logger.info({ saltSource: source }, 'observatory: salt ready');
  if (config.redisUrl && source !== 'config') {
    logger.warn(
      { code: 'observatory-salt-not-shared' },
      'observatory: set OBSERVATORY_SALT when several instances share Redis, or each one hashes identities differently',
    );
  }
  const observatory = createObservatory({
    catalog: options.catalog ?? getCatalog(),
    records: options.store.records,
    salt,
    logger,
  });
  if (config.town.name) void observatory.warm(config.town.name);
  return { observatory, saltSource: source };
}
