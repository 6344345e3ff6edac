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
 * - `lock:{key}`, `lockq:{key}`, `lockw:{key}`, `lockn:{key}` — the fair lock (redis/lock.ts).
 * - `rate:{name}:{key}` — the shared rate-limit counters (redis/rate-limit.ts).
 * - `outbox:{id}` — a turn's replies until delivered (hash `key`, `owner`, `replies`, `target`,
 *   `sent`, `attempts`, `created`, `lease`, `retry`, `done`), written by the turn's PUT script;
 *   `outboxdue:{channel}` — a sorted set of the entries not delivered, by lease / retry time.
 *
 * The prefix is the deployment's (REDIS_KEY_PREFIX): two towns on one Redis never share a key.
 * While the connection is down every call fails at once with StoreUnavailableError, and a
 * command waits at most `commandTimeoutMs` (1 s): an outage fails fast, then heals by itself.
 *
 * Parts: this file composes the conversations, transcripts, outbox and memos; redis/context.ts
 * holds the key layout and `guard` they share; redis/lock.ts the fair lock; redis/records.ts the
 * observatory records; redis/rate-limit.ts the rate limiter; redis-scripts.ts loads the Lua.
 *
 * The Lua scripts (src/storage/lua/*.lua, see redis-scripts.ts) touch keys they derive from sets
 * (erase-by-user, purge): a single Redis node (or a primary with replicas / Sentinel) is
 * required, not Redis Cluster.
 */
import { Redis, ReplyError } from 'ioredis';
import type { Channel } from './channels.js';
import { type Envelope, envelopeText, MAX_TRANSCRIPT_ENTRIES } from './envelope.js';
import { parseOr } from './json.js';
import type { RateLimiter } from './rate-limit.js';
import { globEscape, ms, ownerTag, type RedisContext, redisKeys } from './redis/context.js';
import { createRedisLocks } from './redis/lock.js';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis/rate-limit.js';
import { createRedisRecords } from './redis/records.js';
import { loadRedisScripts, type RedisScript, runRedisScript } from './redis-scripts.js';
import {
  type ConversationStore,
  type OutboxClaim,
  type OutboxStore,
  type Owner,
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

export type { RedisRateLimiterOptions } from './redis/rate-limit.js';

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

/**
 * True for what ioredis throws when Redis is away or too slow (a timeout, a closed connection,
 * retries exhausted): plain errors, not a server's error reply nor our own checks.
 */
function connectionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof ReplyError) return false;
  return error.constructor === Error || error.name === 'MaxRetriesPerRequestError';
}

/**
 * Creates the Redis store (ioredis). With `url` the store creates and later quits its client;
 * with `client` it only uses it (the caller closes it).
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const prefix = options.prefix ?? REDIS_DEFAULT_PREFIX;
  const now = options.now ?? Date.now;
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

  const k = redisKeys(prefix);
  let closed = false;
  /** Settles once `close()` has finished; set in the same tick as `closed`. */
  let closing: Promise<void> = Promise.resolve();

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

  const ctx: RedisContext = {
    client,
    k,
    scripts: SCRIPTS,
    run,
    guard,
    isClosed: () => closed,
    open,
    closedError,
    down: () => DOWN.has(client.status),
    now,
  };
  const locks = createRedisLocks(ctx, { pollMaxMs: options.lockPollMaxMs ?? 50 });

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
          data: envelopeText.decode(data),
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
            envelopeText.encode(envelope),
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

  return {
    kind: 'redis',
    conversations,
    transcripts,
    records: createRedisRecords(ctx),
    outbox,
    rateLimiter: (limiter) => createRedisRateLimiter(ctx, limiter),
    coordination: {
      lock: locks.lock,
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
      closed = true;
      closing = (async () => {
        // Waiters leave the shared queue so that other instances are not held up by their lease.
        await locks.leaveAll();
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
      locks.wakeAll();
    },
  };
}
