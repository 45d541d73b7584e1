-- Adds one instance's outcome counts to the fleet-wide window, sums it, and trips the shared state
-- (closed -> open, a compare-and-set inside this script) when the fleet-wide counts cross a threshold.
-- KEYS[1] state hash {state, epoch, openedAt, openUntil, reason, origin, updatedAt}
-- KEYS[2] window hash: fields '<slot>:c' calls, '<slot>:f' failures, '<slot>:s' slow calls
-- KEYS[3] permits sorted set (cleared when this flush trips)
-- KEYS[4] channel the transition is published on (a shard channel with the same hash tag, not a key)
-- KEYS[5] shard version string '<run>:<n>:<floor>'
-- KEYS[6] shard change log sorted set (see transition-6.lua)
-- ARGV[1] calls   ARGV[2] failures   ARGV[3] slow calls   (since this instance's last flush)
-- ARGV[4] bucket width in ms   ARGV[5] buckets in the window
-- ARGV[6] minimum calls   ARGV[7] failure-rate threshold (0 = off)   ARGV[8] slow-call-rate threshold (0 = off)
-- ARGV[9] open time in ms if this flush trips   ARGV[10] origin (instance id)
-- ARGV[11] idle ttl of the state hash and the change log in ms   ARGV[12] publish command: PUBLISH or SPUBLISH
-- ARGV[13] breaker name   ARGV[14] most names the change log keeps (the oldest is dropped)
-- Returns {tripped 0|1, calls, failures, slow, state, epoch, openRemainingMs, reason, origin}
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[4])
local buckets = tonumber(ARGV[5])
local slot = math.floor(now / bucketMs)
local calls, failures, slow = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if calls > 0 then redis.call('HINCRBY', KEYS[2], slot .. ':c', calls) end
if failures > 0 then redis.call('HINCRBY', KEYS[2], slot .. ':f', failures) end
if slow > 0 then redis.call('HINCRBY', KEYS[2], slot .. ':s', slow) end
local totals = { c = 0, f = 0, s = 0 }
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local field = fields[i]
  local sep = string.find(field, ':', 1, true)
  local fieldSlot = tonumber(string.sub(field, 1, sep - 1))
  if fieldSlot <= slot - buckets then
    redis.call('HDEL', KEYS[2], field)
  else
    local kind = string.sub(field, sep + 1)
    totals[kind] = totals[kind] + tonumber(fields[i + 1])
  end
end
-- The window expires once nobody has flushed into it for a whole window.
redis.call('PEXPIRE', KEYS[2], math.floor(bucketMs * (buckets + 1)))
local cur = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'openUntil', 'reason', 'origin')
local state = cur[1] or 'closed'
local epoch = tonumber(cur[2]) or 0
-- A forced_open or disabled record has no ttl (see transition-6.lua): a flush does not give it one.
if cur[1] and cur[1] ~= 'forced_open' and cur[1] ~= 'disabled' then
  redis.call('PEXPIRE', KEYS[1], ARGV[11])
end
local c, f, s = totals.c, totals.f, totals.s
local failThr, slowThr = tonumber(ARGV[7]), tonumber(ARGV[8])
local trip = nil
if state == 'closed' and c > 0 and c >= tonumber(ARGV[6]) then
  if failThr > 0 and f / c >= failThr then trip = 'fleet_failure_rate'
  elseif slowThr > 0 and s / c >= slowThr then trip = 'fleet_slow_call_rate' end
end
if trip == nil then
  local remaining = math.max(0, (tonumber(cur[3]) or 0) - now)
  return {0, c, f, s, state, epoch, remaining, cur[4] or '', cur[5] or ''}
end
local openMs = math.max(0, math.floor(tonumber(ARGV[9])))
local newEpoch = epoch + 1
redis.call('HSET', KEYS[1], 'state', 'open', 'epoch', newEpoch, 'openedAt', now, 'openUntil', now + openMs,
  'reason', trip, 'origin', ARGV[10], 'updatedAt', now)
redis.call('PEXPIRE', KEYS[1], ARGV[11])
redis.call('DEL', KEYS[2], KEYS[3])
local changeName, changeTtl, changeMax = ARGV[13], ARGV[11], ARGV[14]
-- @include record-change
redis.call(ARGV[12], KEYS[4], 'open|' .. newEpoch .. '|' .. openMs .. '|' .. trip .. '|' .. ARGV[10])
return {1, c, f, s, 'open', newEpoch, openMs, trip, ARGV[10]}
