-- KEYS: user index. ARGV: at (epoch ms), owner tag, conv prefix, transcript prefix. Drops members
-- that are gone or belong to someone else now; deletes conversations expired at `at` with their
-- transcripts. Returns those deleted.
local at = tonumber(ARGV[1])
local removed = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('TYPE', k).ok ~= 'hash' then
    redis.call('SREM', KEYS[1], k)
  else
    local f = redis.call('HMGET', k, 'owner', 'exp')
    if f[1] ~= ARGV[2] then
      redis.call('SREM', KEYS[1], k)
    elseif string.sub(k, 1, #ARGV[3]) == ARGV[3] then
      local exp = tonumber(f[2])
      if exp == nil or exp <= at then
        removed = removed + redis.call('DEL', k)
        redis.call('DEL', ARGV[4] .. string.sub(k, #ARGV[3] + 1))
        redis.call('SREM', KEYS[1], k)
      end
    end
  end
end
return removed
