-- KEYS: conv, user index, transcript, outbox entry, outbox due set. ARGV: expected rev, new rev,
-- data, expiresAt, now, owner tag, replace ('1' drops the transcript first), max entries, outbox
-- ('1' writes one), its replies, target, lease ms, ttl ms, conversation key, then transcript
-- entries to append. A new conversation (expected rev 0) starts with no transcript; the
-- transcript expires with it; the outbox entry (the turn's replies) is written in the same script.
local cur = redis.call('HMGET', KEYS[1], 'rev', 'exp')
local now = tonumber(ARGV[5])
local rev = 0
local exp = tonumber(cur[2])
if cur[1] and exp and exp > now then rev = tonumber(cur[1]) or 0 end
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
if rev == 0 or ARGV[7] == '1' then redis.call('DEL', KEYS[3]) end
local ttl = tonumber(ARGV[4]) - now
if ttl <= 0 then
  redis.call('DEL', KEYS[3])
  return 1
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3], 'exp', ARGV[4], 'owner', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
if #ARGV > 14 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 15))
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[8]), -1)
end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ttl) end
if ARGV[9] == '1' then
  local lease = now + tonumber(ARGV[12])
  local ottl = tonumber(ARGV[13])
  redis.call('DEL', KEYS[4])
  redis.call('HSET', KEYS[4], 'key', ARGV[14], 'owner', ARGV[6], 'replies', ARGV[10],
    'target', ARGV[11], 'sent', 0, 'attempts', 1, 'created', now, 'lease', lease, 'retry', 0,
    'done', 0)
  redis.call('PEXPIRE', KEYS[4], ottl)
  redis.call('ZADD', KEYS[5], lease, KEYS[4])
  redis.call('PEXPIRE', KEYS[5], ottl)
  redis.call('SADD', KEYS[2], KEYS[4])
  if redis.call('PTTL', KEYS[2]) < ottl then redis.call('PEXPIRE', KEYS[2], ottl) end
end
return 1
