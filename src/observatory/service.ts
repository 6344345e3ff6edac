/**
 * The observatory as the server uses it: it turns the dialogue's `observatory-record` effect into
 * an anonymous record (salted identity hash, never the user id), erases a user's records when
 * they ask (`onForget`), aggregates a town on demand, and serves the territory diagnostic's
 * prefill offer synchronously from a small in-memory cache — so that the dialogue stays pure and
 * never waits for the store.
 */
import type { Catalog } from '../../catalog/schema.js';
import type { ObservatoryOffer } from '../../flows/types.js';
import type { Reply } from '../reply/model.js';
import type { EffectOrigin } from '../runtime/runtime.js';
import type { Effect } from '../runtime/types.js';
import type { Owner } from '../storage/types.js';
import { aggregateTown, type TownAggregate } from './aggregate.js';
import { identityHash } from './identity.js';
import {
  cleanTownName,
  type ObservatoryRecord,
  ObservatoryRecordSchema,
  type RecordStore,
  townKey,
} from './records.js';
import { bilanNeedsTownReply, bilanReplies } from './replies.js';

/** The logging surface the observatory needs (pino fits). Never given a user id or a town. */
export interface ObservatoryLogger {
  warn(obj: object, msg?: string): void;
}

/** Dependencies of {@link createObservatory}. */
export interface ObservatoryDeps {
  readonly catalog: Catalog;
  /** The storage port's records (`store.records`). */
  readonly records: RecordStore;
  /** From {@link loadSalt}. */
  readonly salt: Buffer;
  readonly logger?: ObservatoryLogger;
  /** How long a town's prefill offer is served from memory before it is read again. Default 60 s. */
  readonly cacheTtlMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** What `/centreville bilan` asks for. */
export interface BilanQuery {
  readonly town?: string;
  /** The slash command as typed, for the « which town? » hint. */
  readonly command?: string;
}

/** The observatory service. */
export interface Observatory {
  /** The runtime's `onEffect`: stores an `observatory-record` (replacing this merchant's earlier one). */
  onEffect(effect: Effect, origin: EffectOrigin): Promise<void>;
  /** The runtime's `onForget`: removes every record of this user. */
  onForget(owner: Owner): Promise<void>;
  /** A town's aggregate, or undefined when no merchant of that town was ever counted. */
  aggregate(town: string): Promise<TownAggregate | undefined>;
  /** `/centreville bilan`: the figures (or why there are none) as neutral replies. */
  bilan(query: BilanQuery): Promise<Reply[]>;
  /**
   * The territory diagnostic's offer (n ≥ 5), synchronously from memory. A miss or a stale entry
   * starts a read in the background; the next turn sees it.
   */
  prefill(town: string): ObservatoryOffer | undefined;
  /** Reads a town into the prefill cache now (at start-up for TOWN_NAME). */
  warm(town: string): Promise<void>;
  /** Retention: removes the records older than `keepMonths` months before `now`. */
  purge(now: Date, keepMonths?: number): Promise<number>;
}

/** Towns whose prefill offer is kept in memory at most. */
const MAX_CACHED_TOWNS = 500;

/** How long records are kept by default (then the town's figures only count recent answers). */
export const DEFAULT_KEEP_MONTHS = 24;

/** The offer the territory diagnostic makes from a town's figures (undefined below 5). */
export function prefillOffer(aggregate: TownAggregate | undefined): ObservatoryOffer | undefined {
  if (aggregate?.status !== 'figures') return undefined;
  const share = (p: string) => aggregate.measures.find((m) => m.prereq === p)?.share;
  const connectes = share('P1');
  const web = share('P3');
  if (connectes === undefined || web === undefined) return undefined;
  return { town: aggregate.town, respondents: aggregate.respondents, connectes, web };
}

/** The month `months` before `now`, as `YYYY-MM` (UTC). */
export function monthsBefore(now: Date, months: number): string {
  const total = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** A stored effect payload that is not a valid record (the dialogue always sends valid ones). */
export class InvalidRecordError extends Error {
  readonly code = 'OBSERVATORY_INVALID_RECORD';
  constructor() {
    super('observatory-record effect does not hold a valid record');
    this.name = 'InvalidRecordError';
  }
}

/** Creates the observatory over the records port. */
export function createObservatory(deps: ObservatoryDeps): Observatory {
  const { catalog, records, salt } = deps;
  const now = deps.now ?? Date.now;
  const ttl = deps.cacheTtlMs ?? 60_000;
  const cache = new Map<string, { offer?: ObservatoryOffer; at: number }>();
  const loading = new Map<string, Promise<void>>();

  async function aggregate(town: string, display?: string) {
    const list = await records.listByTown(town);
    if (list.length === 0) return undefined;
    return aggregateTown(catalog, list, display ? { town: display } : {});
  }

  function refresh(town: string): Promise<void> {
    const key = townKey(town);
    const pending = loading.get(key);
    if (pending) return pending;
    const work = aggregate(town)
      .then((agg) => {
        const offer = prefillOffer(agg);
        cache.delete(key);
        cache.set(key, { ...(offer ? { offer } : {}), at: now() });
        // Towns are typed freely: keep the cache bounded (oldest entries go first).
        for (const old of cache.keys()) {
          if (cache.size <= MAX_CACHED_TOWNS) break;
          cache.delete(old);
        }
      })
      .catch(() => {
        deps.logger?.warn({ code: 'observatory-read-failed' }, 'observatory figures not read');
      })
      .finally(() => loading.delete(key));
    loading.set(key, work);
    return work;
  }

  function toRecord(effect: Effect, origin: EffectOrigin): ObservatoryRecord {
    if (effect.type !== 'observatory-record') throw new InvalidRecordError();
    const given = effect.record;
    const town = typeof given.town === 'string' ? cleanTownName(given.town) : '';
    const parsed = ObservatoryRecordSchema.safeParse({
      identity: identityHash(salt, origin.channel, origin.userRef),
      town,
      townKey: townKey(town),
      sector: given.sector ?? null,
      answers: given.answers,
      level: given.level,
      month: given.month,
    });
    if (!parsed.success) throw new InvalidRecordError();
    return parsed.data;
  }

  return {
    async onEffect(effect, origin) {
      if (effect.type !== 'observatory-record') return;
      const record = toRecord(effect, origin);
      await records.put(record);
      await refresh(record.town);
    },

    async onForget(owner) {
      await records.deleteByIdentity(identityHash(salt, owner.channel, owner.userRef));
      // We do not know (on purpose) which towns this user was counted in: re-read them all.
      await Promise.all([...cache.keys()].map((key) => refresh(key)));
    },

    aggregate: (town) => aggregate(town),

    async bilan(query) {
      const town = query.town ? cleanTownName(query.town) : '';
      if (!town || !townKey(town)) return [bilanNeedsTownReply(query.command)];
      return bilanReplies(await aggregate(town, town), town);
    },

    prefill(town) {
      const key = townKey(town);
      if (!key) return undefined;
      const entry = cache.get(key);
      if (!entry || now() - entry.at > ttl) void refresh(town);
      return entry?.offer;
    },

    warm: (town) => refresh(town),

    purge(at, keepMonths = DEFAULT_KEEP_MONTHS) {
      return records.purgeBefore(monthsBefore(at, keepMonths));
    },
  };
}
