-- KEYS: lock. ARGV: token, ttl ms. Extends the lease only if the caller still holds it.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
