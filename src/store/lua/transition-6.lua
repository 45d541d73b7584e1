-- Compare-and-set transition of one breaker's shared state; publishes it and records it in the
-- shard's change log when committed.
-- KEYS[1] state hash {state, epoch, openedAt, openUntil, reason, origin, updatedAt}
-- KEYS[2] window hash (fleet-wide time buckets; cleared on every committed transition)
-- KEYS[3] permits sorted set (half-open probe permits; cleared on every committed transition)
-- KEYS[4] channel the transition is published on (a shard channel with the same hash tag, not a key)
-- KEYS[5] shard version string '<run>:<n>:<floor>'
-- KEYS[6] shard change log sorted set: member = breaker name, score = n of its latest change
-- ARGV[1] expected epoch (the fleet epoch the caller last saw; 0 = nothing stored yet)
-- ARGV[2] new state: closed | open | half_open | forced_open | disabled
-- ARGV[3] open time in ms (for open)
-- ARGV[4] reason
-- ARGV[5] origin (instance id)
-- ARGV[6] idle ttl of the state hash and the change log in ms
-- ARGV[7] publish command: PUBLISH or SPUBLISH
-- ARGV[8] breaker name   ARGV[9] most names the change log keeps (the oldest is dropped)
-- Returns {committed 0|1, state, epoch, openRemainingMs, reason, origin}
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'openUntil', 'reason', 'origin')
local epoch = tonumber(cur[2]) or 0
if epoch ~= tonumber(ARGV[1]) then
  local remaining = math.max(0, (tonumber(cur[3]) or 0) - now)
  return {0, cur[1] or 'closed', epoch, remaining, cur[4] or '', cur[5] or ''}
end
local state = ARGV[2]
local openMs = 0
if state == 'open' then openMs = math.max(0, math.floor(tonumber(ARGV[3]) or 0)) end
local newEpoch = epoch + 1
redis.call('HSET', KEYS[1], 'state', state, 'epoch', newEpoch, 'openedAt', now, 'openUntil', now + openMs,
  'reason', ARGV[4], 'origin', ARGV[5], 'updatedAt', now)
-- A state people chose stays until they change it; the others expire once the breaker is idle.
if state == 'forced_open' or state == 'disabled' then redis.call('PERSIST', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
redis.call('DEL', KEYS[2], KEYS[3])
local changeName, changeTtl, changeMax = ARGV[8], ARGV[6], ARGV[9]
-- @include record-change
redis.call(ARGV[7], KEYS[4], state .. '|' .. newEpoch .. '|' .. openMs .. '|' .. ARGV[4] .. '|' .. ARGV[5])
return {1, state, newEpoch, openMs, ARGV[4], ARGV[5]}
