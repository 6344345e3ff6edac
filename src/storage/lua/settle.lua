-- KEYS: outbox entry, due set. ARGV: sent, mode (done | progress | retry), retry at (epoch ms).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local sent = tonumber(ARGV[1])
if sent > (tonumber(redis.call('HGET', KEYS[1], 'sent')) or 0) then
  redis.call('HSET', KEYS[1], 'sent', sent)
end
if ARGV[2] == 'done' then
  redis.call('HSET', KEYS[1], 'done', 1, 'lease', 0)
  redis.call('HDEL', KEYS[1], 'replies', 'target')
  redis.call('ZREM', KEYS[2], KEYS[1])
elseif ARGV[2] == 'retry' then
  redis.call('HSET', KEYS[1], 'lease', 0, 'retry', ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
end
return 1
