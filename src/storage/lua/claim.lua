-- KEYS: outbox entry, due set. ARGV: now, lease ms. Takes the entry for delivery when it is not
-- delivered and its lease has run out. Returns {state} or {'claimed', fields…}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[2], KEYS[1])
  return {'absent'}
end
local f = redis.call('HMGET', KEYS[1], 'done', 'lease')
if f[1] == '1' then return {'done'} end
local now = tonumber(ARGV[1])
if (tonumber(f[2]) or 0) > now then return {'busy'} end
local lease = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'lease', lease)
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('ZADD', KEYS[2], lease, KEYS[1])
local e = redis.call('HMGET', KEYS[1], 'key', 'owner', 'replies', 'target', 'sent', 'attempts',
  'created')
return {'claimed', e[1], e[2], e[3], e[4], e[5], e[6], e[7]}
