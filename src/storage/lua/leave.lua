-- KEYS: queue, leases. ARGV: token. A waiter that gives up leaves the queue.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
