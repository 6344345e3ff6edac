/**
 * The store for several instances (SPEC §7): everything lives in one Redis, so any number of
 * stateless instances can run behind a load balancer without sticky sessions.
 *
 * Keys (all under `prefix`, default `clic:`):
 * - `conv:{key}` — a hash `rev`, `data` (the envelope as JSON), `exp`, `owner`; Redis expires it
 *   at the envelope's `expiresAt`. Writes are compare-and-set on `rev` in one Lua script.
 * - `user:{channel}:{userRef}` — a set of the Redis keys a user owns (conversations, idempotency
 *   entries), so that « oublier mes données » finds them all; it expires with its last member.
 * - `tx:{key}` — the conversation's transcript: a list of JSON entries, trimmed to the last 100
 *   and expiring with the conversation (RPUSH + LTRIM + PEXPIRE in one MULTI); erased with it.
 * - `memo:{id}` — a hash `v` (JSON), `owner`, with a TTL (idempotency).
 * - `seen:{id}` — `SET NX PX` (de-duplication).
 * - `obs:town:{townKey}` — a hash identity hash → observatory record (JSON), and
 *   `obs:id:{identity}` — the set of town keys that identity has a record in (erasure).
 * - `lock:{key}` — `SET token NX PX ttl`, a lease the holder renews while its turn runs
 *   (`renew`), released only by its holder (compare-and-delete): a dead instance's lock frees
 *   itself within the lease. Waiters queue fairly across instances in `lockq:{key}` (arrival
 *   order) and `lockw:{key}` (a lease each waiter renews by polling, so a crashed waiter leaves
 *   the queue by itself).
 * - `outbox:{id}` — a turn's replies until delivered (hash `key`, `owner`, `replies`, `target`,
 *   `sent`, `attempts`, `created`, `lease`, `retry`, `done`), written by the turn's PUT script;
 *   `outboxdue:{channel}` — a sorted set of the entries not delivered, by lease / retry time.
 *
 * The prefix is the deployment's (REDIS_KEY_PREFIX): two towns on one Redis never share a key.
 * While the connection is down every call fails at once with StoreUnavailableError, and a
 * command waits at most `commandTimeoutMs` (1 s): an outage fails fast, then heals by itself.
 *
 * The Lua scripts (src/storage/lua/*.lua, see redis-scripts.ts) touch keys they derive from sets (erase-by-user, purge): a single Redis node
 * (or a primary with replicas / Sentinel) is required, not Redis Cluster.
 */
import { randomUUID } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { Channel } from './channels.js';
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  MAX_TRANSCRIPT_ENTRIES,
} from './envelope.js';
import { decideHit, type RateLimiter, UNLIMITED } from './rate-limit.js';
import { type ObservatoryRecord, parseRecord, type RecordStore, townKey } from './records.js';
import { loadRedisScripts, type RedisScript, runRedisScript } from './redis-scripts.js';
import {
  type ConversationStore,
  LockTimeoutError,
  type OutboxClaim,
  type OutboxStore,
  type Owner,
  type Release,
  type Store,
  StoreClosedError,
  type StoredConversation,
  StoreUnavailableError,
  type TranscriptStore,
  toMillis,
} from './types.js';

/** Options of {@link createRedisStore}: a URL (the store owns the client) or a client (it does not). */
export type RedisStoreOptions = (
  | { readonly url: string; readonly client?: undefined }
  | { readonly client: Redis; readonly url?: undefined }
) & {
  /** Prepended to every key, so that several apps or test runs share one Redis. Default `clic:`. */
  readonly prefix?: string;
  /** Clock for conversation expiry, epoch ms; `Date.now` by default. */
  readonly now?: () => number;
  /** Longest pause between two attempts of a lock waiter, in ms. Default 50. */
  readonly lockPollMaxMs?: number;
  /** How long `ready()` waits for PING, in ms. Default 1000. */
  readonly readyTimeoutMs?: number;
  /**
   * Longest wait for one command of a client the store creates, in ms: past it the call fails
   * with {@link StoreUnavailableError} rather than hanging while Redis is away. Default 1000.
   */
  readonly commandTimeoutMs?: number;
  /** Connection errors of a client the store created (for logs); ignored by default. */
  readonly onError?: (error: Error) => void;
};

/** Options of {@link RedisStore.rateLimiter}. */
export interface RedisRateLimiterOptions {
  /** Names the counter family (`web-ip`, `web-conversation`…), part of the Redis key. */
  readonly name: string;
  /** Hits allowed per window; 0 or less means no limit. */
  readonly limit: number;
  /** Window length in ms. Default 60 000. */
  readonly windowMs?: number;
}

/**
 * The Redis store: the storage port, plus the rate limiter port (rate-limit.ts) with counters
 * every instance shares, on the same connection.
 */
export interface RedisStore extends Store {
  readonly kind: 'redis';
  /** A rate limiter whose counters all instances share; it stops working once the store closes. */
  rateLimiter(options: RedisRateLimiterOptions): RateLimiter;
}

/** The default key prefix. */
export const REDIS_DEFAULT_PREFIX = 'clic:';

/** Connection states in which a command would only wait: the store fails fast instead. */
const DOWN: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

/** The Lua scripts, read from src/storage/lua (dist/src/storage/lua once built) at import. */
const SCRIPTS = loadRedisScripts();

/** A local lock waiter; `wake` cuts its pause short (a lock of this instance was released). */
interface Waiter {
  wake: () => void;
  /** Set when woken while not pausing, so that the next pause is skipped. */
  kicked: boolean;
}

function createWaiter(): Waiter {
  const waiter: Waiter = {
    kicked: false,
    wake: () => {
      waiter.kicked = true;
    },
  };
  return waiter;
}

function pause(ms: number, waiter: Waiter): Promise<void> {
  if (waiter.kicked) {
    waiter.kicked = false;
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      waiter.kicked = false;
      waiter.wake = () => {
        waiter.kicked = true;
      };
      resolve();
    }
    waiter.wake = done;
  });
}

/** Escapes glob characters for SCAN MATCH. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * True for what ioredis throws when Redis is away or too slow (a timeout, a closed connection,
 * retries exhausted): plain errors, not a server's error reply nor our own checks.
 */
function connectionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof ReplyError) return false;
  return error.constructor === Error || error.name === 'MaxRetriesPerRequestError';
}

/** JSON text decoded, or `fallback` when it is not JSON. */
function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** Milliseconds as the positive integer Redis expects for PX / PEXPIRE. */
function ms(value: number): number {
  return Math.max(1, Math.ceil(value));
}

/**
 * Creates the Redis store (ioredis). With `url` the store creates and later quits its client;
 * with `client` it only uses it (the caller closes it).
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const prefix = options.prefix ?? REDIS_DEFAULT_PREFIX;
  const now = options.now ?? Date.now;
  const pollMaxMs = Math.max(5, options.lockPollMaxMs ?? 50);
  const pollMinMs = Math.min(5, pollMaxMs);
  const leaseMs = Math.max(1000, pollMaxMs * 20);
  const readyTimeoutMs = options.readyTimeoutMs ?? 1000;
  const owned = options.client === undefined;
  const client: Redis =
    options.client ??
    new Redis(options.url ?? '', {
      // Fail fast while Redis is away (issue 20): one command waits about a second, not 6–18 s.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: Math.max(50, options.commandTimeoutMs ?? 1000),
      // Reconnect quickly and keep trying: the instance recovers without a restart.
      retryStrategy: (times) => Math.min(100 * times, 1000),
    });
  const onClientError = (error: Error) => options.onError?.(error);
  if (owned) client.on('error', onClientError);

  const k = {
    conv: (key: string) => `${prefix}conv:${key}`,
    tx: (key: string) => `${prefix}tx:${key}`,
    user: (tag: string) => `${prefix}user:${tag}`,
    memo: (id: string) => `${prefix}memo:${id}`,
    seen: (id: string) => `${prefix}seen:${id}`,
    lock: (key: string) => `${prefix}lock:${key}`,
    queue: (key: string) => `${prefix}lockq:${key}`,
    leases: (key: string) => `${prefix}lockw:${key}`,
    seq: (key: string) => `${prefix}lockn:${key}`,
    rate: (name: string, key: string) => `${prefix}rate:${name}:${key}`,
    outbox: (id: string) => `${prefix}outbox:${id}`,
    /** The outbox ids of a channel not yet delivered, by lease / retry time (the sweep). */
    due: (channel: string) => `${prefix}outboxdue:${channel}`,
    obsTown: (town: string) => `${prefix}obs:town:${town}`,
    obsIdentity: (identity: string) => `${prefix}obs:id:${identity}`,
  };
  const ownerTag = (channel: Channel | string, userRef: string) => `${channel}:${userRef}`;

  let closed = false;
  /** Settles once `close()` has finished; set in the same tick as `closed`. */
  let closing: Promise<void> = Promise.resolve();
  /** Local lock waiters by key: woken at once when a lock of this instance is released. */
  const waiters = new Map<string, Map<Waiter, string>>();

  function open(): void {
    if (closed) throw new StoreClosedError();
  }

  /** The error of a call cut short by `close()`, given once the close has finished. */
  async function closedError(): Promise<StoreClosedError> {
    await closing;
    return new StoreClosedError();
  }

  function run(s: RedisScript, keys: readonly string[], args: readonly (string | number)[]) {
    return runRedisScript(client, s, keys, args);
  }

  /**
   * Runs a store operation: at once {@link StoreUnavailableError} while the connection is down
   * (no queueing behind a dead socket), and a connection failure or a timeout as that error too;
   * a failure after `close()` is the port's StoreClosedError. Redis's own error replies (a
   * script's error) pass unchanged.
   */
  async function guard<T>(work: () => Promise<T>): Promise<T> {
    open();
    if (DOWN.has(client.status)) throw new StoreUnavailableError();
    try {
      return await work();
    } catch (error) {
      if (closed) throw await closedError();
      throw connectionFailure(error) ? new StoreUnavailableError({ cause: error }) : error;
    }
  }

  function wakeLocal(key: string): void {
    for (const waiter of waiters.get(key)?.keys() ?? []) waiter.wake();
  }

  async function leave(key: string, token: string): Promise<void> {
    await run(SCRIPTS.leave, [k.queue(key), k.leases(key)], [token]);
  }

  function holder(key: string, token: string): Release {
    let released = false;
    const release = async () => {
      if (released || closed) return;
      released = true;
      await run(SCRIPTS.unlock, [k.lock(key)], [token]);
      wakeLocal(key);
    };
    return Object.assign(release, {
      renew: async (ttlMs: number) => {
        if (released || closed) return false;
        return (await run(SCRIPTS.renew, [k.lock(key)], [token, ms(ttlMs)])) === 1;
      },
    });
  }

  async function lock(key: string, ttlMs: number, waitMs: number): Promise<Release> {
    open();
    if (DOWN.has(client.status)) throw new StoreUnavailableError();
    const token = randomUUID();
    const deadline = Date.now() + Math.max(0, waitMs);
    const keys = [k.lock(key), k.queue(key), k.leases(key), k.seq(key)];
    const args = [token, ms(ttlMs), leaseMs];
    const waiter = createWaiter();
    let local = waiters.get(key);
    if (!local) {
      local = new Map();
      waiters.set(key, local);
    }
    local.set(waiter, token);
    let interval = pollMinMs;
    try {
      for (;;) {
        let got: unknown;
        try {
          got = await run(SCRIPTS.acquire, keys, args);
        } catch (error) {
          if (closed) throw await closedError();
          await leave(key, token).catch(() => undefined);
          throw error;
        }
        if (closed) {
          if (got === 1) void run(SCRIPTS.unlock, [k.lock(key)], [token]).catch(() => undefined);
          throw await closedError();
        }
        if (got === 1) return holder(key, token);
        const left = deadline - Date.now();
        if (left <= 0) {
          await leave(key, token).catch(() => undefined);
          throw new LockTimeoutError();
        }
        await pause(Math.min(left, interval * (0.8 + 0.4 * Math.random())), waiter);
        if (closed) throw await closedError();
        interval = Math.min(pollMaxMs, interval * 2);
      }
    } finally {
      local.delete(waiter);
      if (local.size === 0 && waiters.get(key) === local) waiters.delete(key);
    }
  }

  const conversations: ConversationStore = {
    get(key) {
      return guard(async () => {
        const [rev, data, exp] = await client.hmget(k.conv(key), 'rev', 'data', 'exp');
        if (rev === null || rev === undefined || data === null || data === undefined) {
          return undefined;
        }
        if (!(Number(exp) > now())) return undefined;
        const revision = Number(rev);
        return {
          key,
          revision: Number.isSafeInteger(revision) ? revision : 0,
          data: decodeEnvelope(data),
        } satisfies StoredConversation;
      });
    },
    put(envelope: Envelope, expectedRevision, transcript, outbox) {
      return guard(async () => {
        if (envelope.revision <= expectedRevision) {
          throw new RangeError('envelope.revision must be greater than expectedRevision');
        }
        const tag = ownerTag(envelope.channel, envelope.userRef);
        const outboxKey = k.outbox(outbox?.id ?? '');
        const result = await run(
          SCRIPTS.put,
          [
            k.conv(envelope.key),
            k.user(tag),
            k.tx(envelope.key),
            outboxKey,
            k.due(envelope.channel),
          ],
          [
            expectedRevision,
            envelope.revision,
            encodeEnvelope(envelope),
            Math.trunc(envelope.expiresAt),
            Math.trunc(now()),
            tag,
            transcript?.replace ? '1' : '0',
            MAX_TRANSCRIPT_ENTRIES,
            outbox ? '1' : '0',
            outbox ? JSON.stringify(outbox.replies) : '',
            outbox?.target !== undefined ? JSON.stringify(outbox.target) : '',
            outbox ? ms(outbox.leaseMs) : 0,
            outbox ? ms(outbox.ttlMs) : 0,
            envelope.key,
            ...(transcript?.entries ?? []).map((e) => JSON.stringify(e)),
          ],
        );
        return result === 1;
      });
    },
    delete(key) {
      return guard(async () => {
        const replies = await client.multi().del(k.conv(key)).del(k.tx(key)).exec();
        return Number(replies?.[0]?.[1] ?? 0) > 0;
      });
    },
    deleteByUser(channel, userRef) {
      return guard(async () => {
        const tag = ownerTag(channel, userRef);
        const removed = await run(
          SCRIPTS.deleteByUser,
          [k.user(tag)],
          [tag, k.conv(''), k.memo(''), k.tx(''), k.outbox('')],
        );
        return Number(removed);
      });
    },
    purgeExpired(at) {
      return guard(async () => {
        // Redis expires keys by itself: this only tidies the per-user indexes (members whose key
        // is gone) and removes conversations whose `expiresAt` passed on our clock but not yet
        // on Redis's.
        const atMs = Math.trunc(toMillis(at));
        const indexPrefix = k.user('');
        const match = `${globEscape(indexPrefix)}*`;
        let cursor = '0';
        let removed = 0;
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500);
          cursor = next;
          for (const index of keys) {
            const tag = index.slice(indexPrefix.length);
            removed += Number(
              await run(SCRIPTS.sweepIndex, [index], [atMs, tag, k.conv(''), k.tx('')]),
            );
          }
        } while (cursor !== '0' && !closed);
        return removed;
      });
    },
  };

  const transcripts: TranscriptStore = {
    append(key, entries, { expiresAt, replace }) {
      return guard(async () => {
        const list = k.tx(key);
        const ttl = Math.trunc(expiresAt - now());
        if (ttl <= 0 || entries.length === 0) {
          if (replace || ttl <= 0) await client.del(list);
          return;
        }
        const tx = client.multi();
        if (replace) tx.del(list);
        await tx
          .rpush(list, ...entries.map((e) => JSON.stringify(e)))
          .ltrim(list, -MAX_TRANSCRIPT_ENTRIES, -1)
          .pexpire(list, ms(ttl))
          .exec();
      });
    },
    read(key) {
      return guard(async () => {
        const replies = await client
          .multi()
          .hget(k.conv(key), 'exp')
          .lrange(k.tx(key), 0, -1)
          .exec();
        const exp = replies?.[0]?.[1];
        const items = replies?.[1]?.[1];
        if (!(Number(exp) > now()) || !Array.isArray(items)) return [];
        const out: unknown[] = [];
        for (const item of items) {
          try {
            out.push(JSON.parse(String(item)) as unknown);
          } catch {
            // a damaged entry is left out; the caller validates the rest
          }
        }
        return out;
      });
    },
  };

  /** The channel an outbox id belongs to: ids start with `{channel}:`. */
  const dueOf = (id: string) => k.due(id.slice(0, Math.max(0, id.indexOf(':'))));

  const outbox: OutboxStore = {
    claim(id, leaseMs) {
      return guard(async () => {
        const reply = await run(
          SCRIPTS.claim,
          [k.outbox(id), dueOf(id)],
          [Math.trunc(now()), ms(leaseMs)],
        );
        const f = Array.isArray(reply) ? reply.map((v) => (v === null ? '' : String(v))) : [];
        const state = f[0];
        if (state === 'done' || state === 'busy' || state === 'absent') return { state };
        if (state !== 'claimed') throw new Error('unexpected claim reply');
        const [, key = '', owner = '', replies = '', target = '', sent, attempts, created] = f;
        const cut = owner.indexOf(':');
        return {
          state: 'claimed',
          entry: {
            id,
            key,
            channel: owner.slice(0, cut) as Channel,
            userRef: owner.slice(cut + 1),
            replies: parseOr(replies, []),
            ...(target !== '' ? { target: parseOr(target, undefined) } : {}),
            sent: Number(sent) || 0,
            attempts: Number(attempts) || 1,
            createdAt: Number(created) || 0,
          },
        } satisfies OutboxClaim;
      });
    },
    settle(id, sent, next) {
      return guard(async () => {
        const mode = next.done ? 'done' : next.retryAt !== undefined ? 'retry' : 'progress';
        await run(
          SCRIPTS.settle,
          [k.outbox(id), dueOf(id)],
          [Math.max(0, Math.trunc(sent)), mode, Math.trunc(next.done ? 0 : (next.retryAt ?? 0))],
        );
      });
    },
    due(channel, limit) {
      return guard(async () => {
        const ids = await client.zrangebyscore(
          k.due(channel),
          '-inf',
          Math.trunc(now()),
          'LIMIT',
          0,
          Math.max(0, Math.trunc(limit)),
        );
        const head = k.outbox('');
        return ids.filter((id) => id.startsWith(head)).map((id) => id.slice(head.length));
      });
    },
  };

  // The merchants' observatory (issue 9): no TTL, kept until replaced, erased or purged.
  const records: RecordStore = {
    put(record: ObservatoryRecord) {
      return guard(async () => {
        await client
          .multi()
          .hset(k.obsTown(record.townKey), record.identity, JSON.stringify(record))
          .sadd(k.obsIdentity(record.identity), record.townKey)
          .exec();
      });
    },
    deleteByIdentity(identity) {
      return guard(async () =>
        Number(
          await run(SCRIPTS.forgetRecords, [k.obsIdentity(identity)], [k.obsTown(''), identity]),
        ),
      );
    },
    listByTown(town) {
      return guard(async () => {
        const key = townKey(town);
        const values = await client.hvals(k.obsTown(key));
        return values
          .map((v) => parseRecord(v))
          .filter((r): r is ObservatoryRecord => r !== undefined && r.townKey === key);
      });
    },
    purgeBefore(month) {
      return guard(async () => {
        const townPrefix = k.obsTown('');
        let cursor = '0';
        let removed = 0;
        do {
          const [next, keys] = await client.scan(
            cursor,
            'MATCH',
            `${globEscape(townPrefix)}*`,
            'COUNT',
            500,
          );
          cursor = next;
          for (const hash of keys) {
            const entries = await client.hgetall(hash);
            for (const [identity, json] of Object.entries(entries)) {
              const record = parseRecord(json);
              if (record && record.month >= month) continue;
              removed += await client.hdel(hash, identity);
              await client.srem(k.obsIdentity(identity), hash.slice(townPrefix.length));
            }
          }
        } while (cursor !== '0' && !closed);
        return removed;
      });
    },
  };

  function rateLimiter(limiter: RedisRateLimiterOptions): RateLimiter {
    const windowMs = ms(limiter.windowMs ?? 60_000);
    return {
      hit(key) {
        if (limiter.limit <= 0) return Promise.resolve(UNLIMITED);
        return guard(async () => {
          const reply = await run(SCRIPTS.rateHit, [k.rate(limiter.name, key)], [windowMs]);
          const [count, left] = Array.isArray(reply) ? reply.map(Number) : [];
          if (count === undefined || left === undefined) throw new Error('unexpected reply');
          return decideHit(limiter.limit, count, left);
        });
      },
    };
  }

  return {
    kind: 'redis',
    conversations,
    transcripts,
    records,
    outbox,
    rateLimiter,
    coordination: {
      lock,
      markSeen(id, ttlMs) {
        return guard(
          async () => (await client.set(k.seen(id), '1', 'PX', ms(ttlMs), 'NX')) === 'OK',
        );
      },
      remember(id, value, ttlMs, owner?: Owner) {
        return guard(async () => {
          const tag = owner ? ownerTag(owner.channel, owner.userRef) : '';
          await run(
            SCRIPTS.remember,
            [k.memo(id), owner ? k.user(tag) : k.memo(id)],
            [JSON.stringify(value) ?? 'null', ms(ttlMs), tag],
          );
        });
      },
      recall(id) {
        return guard(async () => {
          const json = await client.hget(k.memo(id), 'v');
          if (json === null) return undefined;
          try {
            return JSON.parse(json) as unknown;
          } catch {
            return undefined;
          }
        });
      },
    },
    async ready() {
      if (closed || DOWN.has(client.status)) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('ping timeout')), readyTimeoutMs);
        });
        return (await Promise.race([client.ping(), timeout])) === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return closing;
      const pending = [...waiters].flatMap(([key, local]) =>
        [...local.values()].map((token) => ({ key, token })),
      );
      closed = true;
      closing = (async () => {
        // Waiters leave the shared queue so that other instances are not held up by their lease.
        await Promise.allSettled(pending.map((w) => leave(w.key, w.token)));
        if (!owned) return;
        if (client.status === 'ready') {
          await client.quit().catch(() => client.disconnect());
        } else {
          client.disconnect();
        }
        client.off('error', onClientError);
      })();
      await closing;
      // Waiters reject (StoreClosedError) once close() has finished, not before.
      for (const local of waiters.values()) for (const waiter of local.keys()) waiter.wake();
    },
  };
}
