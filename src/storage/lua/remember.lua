-- KEYS: memo, user index. ARGV: JSON value, ttl ms, owner tag ('' = no owner).
redis.call('DEL', KEYS[1])
local ttl = tonumber(ARGV[2])
if ARGV[3] == '' then
  redis.call('HSET', KEYS[1], 'v', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'owner', ARGV[3])
  redis.call('SADD', KEYS[2], KEYS[1])
  if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
