/**
 * What the parts of the Redis store share: the client, the key layout under the deployment's
 * prefix, the scripts, and `guard` — the one way an operation reaches Redis (fails fast while the
 * connection is down, maps a connection failure to StoreUnavailableError and a failure after
 * `close()` to StoreClosedError).
 */
import type { Redis } from 'ioredis';
import type { Channel } from '../channels.js';
import type { RedisScript, RedisScriptName } from '../redis-scripts.js';
import type { StoreClosedError } from '../types.js';

/** The store's keys, all under `prefix` (see redis.ts for the layout). */
export function redisKeys(prefix: string) {
  return {
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
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/** The owner tag of a user's keys: `{channel}:{userRef}`. */
export const ownerTag = (channel: Channel | string, userRef: string) => `${channel}:${userRef}`;

/** Milliseconds as the positive integer Redis expects for PX / PEXPIRE. */
export function ms(value: number): number {
  return Math.max(1, Math.ceil(value));
}

/** Escapes glob characters for SCAN MATCH. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** One store's connection and helpers, handed to each of its parts. */
export interface RedisContext {
  readonly client: Redis;
  readonly k: RedisKeys;
  readonly scripts: Readonly<Record<RedisScriptName, RedisScript>>;
  /** Runs a script (EVALSHA, loading it when the server lost it). */
  run(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown>;
  /** Runs one store operation against Redis (see the module comment). */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** True once `close()` was called. */
  isClosed(): boolean;
  /** Throws StoreClosedError once the store is closed. */
  open(): void;
  /** The error of a call cut short by `close()`, given once the close has finished. */
  closedError(): Promise<StoreClosedError>;
  /** True while the connection is down: a command would only wait. */
  down(): boolean;
  /** The store's clock, epoch ms. */
  readonly now: () => number;
}
