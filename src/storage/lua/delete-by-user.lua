-- KEYS: user index. ARGV: owner tag, conv prefix, memo prefix, transcript prefix, outbox prefix.
-- Removes the user's conversations with their transcripts, their memos and their outbox entries.
-- Returns conversations removed.
local removed = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local isConv = string.sub(k, 1, #ARGV[2]) == ARGV[2]
  local isMemo = string.sub(k, 1, #ARGV[3]) == ARGV[3]
    or string.sub(k, 1, #ARGV[5]) == ARGV[5]
  if (isConv or isMemo) and redis.call('TYPE', k).ok == 'hash'
      and redis.call('HGET', k, 'owner') == ARGV[1] then
    local n = redis.call('DEL', k)
    if isConv then
      removed = removed + n
      redis.call('DEL', ARGV[4] .. string.sub(k, #ARGV[2] + 1))
    end
  end
end
redis.call('DEL', KEYS[1])
return removed
