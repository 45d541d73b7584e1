-- Records a committed transition in its shard's change log; included by the scripts that commit.
-- Expects: t (the TIME reply), KEYS[5] shard version, KEYS[6] shard change log, and the locals
-- changeName (breaker name), changeTtl (idle ttl in ms), changeMax (most names the log keeps).
-- Version '<run>:<n>:<floor>': <run> names one life of the log (a new one when it expired or was
-- lost), <n> counts its changes, <floor> is the highest n dropped from a full log. A reader whose
-- mark is at least <floor> in the same run finds every change since in the set; any other reads
-- the whole shard.
local version = redis.call('GET', KEYS[5])
local run, n, floor = nil, 1, 0
if version then
  local r, last, lost = string.match(version, '^(.+):(%d+):(%d+)$')
  if r then run, n, floor = r, tonumber(last) + 1, tonumber(lost) end
end
if run == nil then
  run = t[1] .. '.' .. t[2]
  redis.call('DEL', KEYS[6])
elseif redis.call('ZCARD', KEYS[6]) >= tonumber(changeMax) then
  local oldest = redis.call('ZRANGE', KEYS[6], 0, 0, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[6], 0, 0)
  floor = tonumber(oldest[2])
end
redis.call('SET', KEYS[5], run .. ':' .. n .. ':' .. floor, 'PX', changeTtl)
redis.call('ZADD', KEYS[6], n, changeName)
redis.call('PEXPIRE', KEYS[6], changeTtl)
