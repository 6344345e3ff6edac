/**
 * The Redis store's observatory records (issue 9): `obs:town:{townKey}`, a hash identity hash →
 * record (JSON), and `obs:id:{identity}`, the set of town keys that identity has a record in (for
 * erasure). No TTL: kept until replaced, erased or purged.
 */
import { type ObservatoryRecord, parseRecord, type RecordStore, townKey } from '../records.js';
import { globEscape, type RedisContext } from './context.js';

/** The records port over one store's connection. */
export function createRedisRecords(ctx: RedisContext): RecordStore {
  const { client, k, guard, run, scripts } = ctx;
  return {
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
          await run(scripts.forgetRecords, [k.obsIdentity(identity)], [k.obsTown(''), identity]),
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
        } while (cursor !== '0' && !ctx.isClosed());
        return removed;
      });
    },
  };
}
