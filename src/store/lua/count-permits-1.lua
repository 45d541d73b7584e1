-- Counts the half-open probe permits still held (not expired).
-- KEYS[1] permits sorted set: member = token, score = expiry in Redis ms
-- (no ARGV)
-- Returns the number of unexpired permits.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
