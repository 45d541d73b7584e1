-- Reads one breaker's shared state, with the open time left measured by the Redis clock.
-- KEYS[1] state hash {state, epoch, openedAt, openUntil, reason, origin, updatedAt}
-- (no ARGV)
-- Returns {state, epoch, openRemainingMs, reason, origin}; closed at epoch 0 when absent (nothing is created).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'openUntil', 'reason', 'origin')
local remaining = math.max(0, (tonumber(cur[3]) or 0) - now)
return {cur[1] or 'closed', tonumber(cur[2]) or 0, remaining, cur[4] or '', cur[5] or ''}
