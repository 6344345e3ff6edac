-- KEYS: identity's town set. ARGV: town hash prefix, identity. Removes its observatory records.
local removed = 0
for _, town in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  removed = removed + redis.call('HDEL', ARGV[1] .. town, ARGV[2])
end
redis.call('DEL', KEYS[1])
return removed
