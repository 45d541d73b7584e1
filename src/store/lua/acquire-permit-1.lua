-- Takes one fleet-wide half-open probe permit if fewer than the maximum are held.
-- KEYS[1] permits sorted set: member = token, score = expiry in Redis ms
-- ARGV[1] maximum permits held at once (halfOpenMaxCalls)
-- ARGV[2] permit lifetime in ms (callTimeoutMs): frees the permit of a holder that crashed
-- ARGV[3] token (unique per acquisition)
-- Returns 1 when acquired, 0 when the budget is used up.
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
local ttl = math.max(1, math.floor(tonumber(ARGV[2])))
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
-- Every member expires by now + ttl, so the whole set may go then.
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
