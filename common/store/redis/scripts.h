// The Lua scripts that make the Redis store's compound operations atomic. Key layout (P = prefix):
//   P:c:<id> campaign hash (+ lease_expiries)     P:campaigns  set of campaign ids
//   P:c:<id>:n task counts by state (hash)         P:c:<id>:targets  set of target ids
//   P:c:<id>:listed, :announced, :joined, :gone    hashes target id -> round (store.h Standing)
//   P:g:<id> target hash (+ leased, ramp_leased)  P:g:<id>:prov  provenance set
//   P:a:<id> agent hash                           P:agents  zset id -> last heartbeat
//   P:t:<id> task hash                            P:ready:<vantage class>  zset id -> not_before
//   P:leased zset id -> lease expiry
// Scripts build key names from the prefix in ARGV[1] instead of declaring KEYS: fine for one
// server (what we support), not for Redis Cluster.
#pragma once

namespace eo::store::redis::scripts {

// ARGV: prefix, vantage class, agent, now, expires, max. Returns one HGETALL list per lease.
inline constexpr const char* kLease = R"lua(
local p, vc, agent, now, exp, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local ready = p .. ':ready:' .. vc
local out, offset, batch = {}, 0, math.max(max * 4, 64)
while #out < max do
  local ids = redis.call('ZRANGEBYSCORE', ready, '-inf', now, 'LIMIT', offset, batch)
  if #ids == 0 then break end
  local taken = 0
  for _, id in ipairs(ids) do
    if #out >= max then break end
    local tk = p .. ':t:' .. id
    local f = redis.call('HMGET', tk, 'target_id', 'ramp', 'campaign_id')
    local gk = p .. ':g:' .. f[1]
    local g = redis.call('HMGET', gk, 'max_concurrency', 'leased', 'ramp_leased')
    local cap = math.max(tonumber(g[1]) or 1, 1)
    local leased, ramps = tonumber(g[2]) or 0, tonumber(g[3]) or 0
    if leased < cap and (f[2] ~= '1' or ramps == 0) then
      redis.call('ZREM', ready, id)
      taken = taken + 1
      redis.call('HINCRBY', tk, 'attempts', 1)
      redis.call('HSET', tk, 'state', 'leased', 'agent_id', agent, 'lease_expires_ms', exp)
      redis.call('ZADD', p .. ':leased', exp, id)
      redis.call('HINCRBY', gk, 'leased', 1)
      if f[2] == '1' then redis.call('HINCRBY', gk, 'ramp_leased', 1) end
      local ck = p .. ':c:' .. f[3] .. ':n'
      redis.call('HINCRBY', ck, 'queued', -1)
      redis.call('HINCRBY', ck, 'leased', 1)
      out[#out + 1] = redis.call('HGETALL', tk)
    end
  end
  if #ids < batch then break end
  offset = offset + #ids - taken
end
return out
)lua";

// ARGV: prefix, task id, attempt, expires. 1 if the lease was current and is extended.
inline constexpr const char* kRenew = R"lua(
local p, id = ARGV[1], ARGV[2]
local tk = p .. ':t:' .. id
local f = redis.call('HMGET', tk, 'state', 'attempts')
if f[1] ~= 'leased' or f[2] ~= ARGV[3] then return 0 end
redis.call('HSET', tk, 'lease_expires_ms', ARGV[4])
redis.call('ZADD', p .. ':leased', ARGV[4], id)
return 1
)lua";

// ARGV: prefix, then 4 per completion: task id, attempt, 'done'|'failed', failure. Returns, per
// completion, 1 if it finished the task (0: not leased, or leased again since). One script for a
// batch: one round trip, one atomic step.
inline constexpr const char* kComplete = R"lua(
local p = ARGV[1]
local out = {}
for i = 2, #ARGV, 4 do
  local id, attempt, state = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local tk = p .. ':t:' .. id
  local f = redis.call('HMGET', tk, 'state', 'attempts', 'target_id', 'ramp', 'campaign_id')
  if f[1] ~= 'leased' or f[2] ~= attempt then
    out[#out + 1] = 0
  else
    redis.call('HSET', tk, 'state', state, 'failure', ARGV[i + 3])
    redis.call('ZREM', p .. ':leased', id)
    local gk = p .. ':g:' .. f[3]
    redis.call('HINCRBY', gk, 'leased', -1)
    if f[4] == '1' then redis.call('HINCRBY', gk, 'ramp_leased', -1) end
    local ck = p .. ':c:' .. f[5] .. ':n'
    redis.call('HINCRBY', ck, 'leased', -1)
    redis.call('HINCRBY', ck, state, 1)
    out[#out + 1] = 1
  end
end
return out
)lua";

// ARGV: prefix, now. Re-queues every lease that ran out; returns how many.
inline constexpr const char* kExpire = R"lua(
local p = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', p .. ':leased', '-inf', ARGV[2])
for _, id in ipairs(ids) do
  local tk = p .. ':t:' .. id
  local f = redis.call('HMGET', tk, 'target_id', 'ramp', 'campaign_id', 'vantage_class',
                       'not_before_ms')
  redis.call('HSET', tk, 'state', 'queued', 'lease_expires_ms', 0)
  redis.call('HINCRBY', tk, 'expiries', 1)
  redis.call('ZREM', p .. ':leased', id)
  redis.call('ZADD', p .. ':ready:' .. f[4], f[5], id)
  local gk = p .. ':g:' .. f[1]
  redis.call('HINCRBY', gk, 'leased', -1)
  if f[2] == '1' then redis.call('HINCRBY', gk, 'ramp_leased', -1) end
  local ck = p .. ':c:' .. f[3] .. ':n'
  redis.call('HINCRBY', ck, 'leased', -1)
  redis.call('HINCRBY', ck, 'queued', 1)
  redis.call('HINCRBY', p .. ':c:' .. f[3], 'lease_expiries', 1)
end
return #ids
)lua";

// ARGV: prefix, then 8 per task: id, campaign, round, target, class, ramp, not_before, payload.
// Creates the tasks that do not exist; returns how many. Targets are checked by the caller.
inline constexpr const char* kCreateTasks = R"lua(
local p, created = ARGV[1], 0
for b = 2, #ARGV, 8 do
  local id, campaign, vc, nb = ARGV[b], ARGV[b + 1], ARGV[b + 4], ARGV[b + 6]
  local tk = p .. ':t:' .. id
  if redis.call('EXISTS', tk) == 0 then
    redis.call('HSET', tk, 'id', id, 'campaign_id', campaign, 'round', ARGV[b + 2],
               'target_id', ARGV[b + 3], 'vantage_class', vc, 'ramp', ARGV[b + 5],
               'not_before_ms', nb, 'payload', ARGV[b + 7], 'state', 'queued', 'attempts', 0,
               'expiries', 0, 'agent_id', '', 'lease_expires_ms', 0, 'failure', '')
    redis.call('ZADD', p .. ':ready:' .. vc, nb, id)
    redis.call('HINCRBY', p .. ':c:' .. campaign .. ':n', 'queued', 1)
    created = created + 1
  end
end
return created
)lua";

// ARGV: prefix, id, name, spec, state, round, now, round_started_ms.
inline constexpr const char* kPutCampaign = R"lua(
local p, id = ARGV[1], ARGV[2]
local ck = p .. ':c:' .. id
redis.call('HSETNX', ck, 'created_ms', ARGV[7])
redis.call('HSETNX', ck, 'lease_expiries', 0)
redis.call('HSET', ck, 'id', id, 'name', ARGV[3], 'spec', ARGV[4], 'state', ARGV[5],
           'round', ARGV[6], 'updated_ms', ARGV[7], 'round_started_ms', ARGV[8])
redis.call('SADD', p .. ':campaigns', id)
return 1
)lua";

// ARGV: prefix, id, expected state, new state, now. 1 if the campaign was in the expected state.
inline constexpr const char* kCasCampaignState = R"lua(
local ck = ARGV[1] .. ':c:' .. ARGV[2]
if redis.call('HGET', ck, 'state') ~= ARGV[3] then return 0 end
redis.call('HSET', ck, 'state', ARGV[4], 'updated_ms', ARGV[5])
return 1
)lua";

// ARGV: prefix, campaign, id, host, port, transport, onion, cap, provenance... 1 if new.
inline constexpr const char* kUpsertTarget = R"lua(
local p, id = ARGV[1], ARGV[3]
local gk = p .. ':g:' .. id
local new = redis.call('EXISTS', gk) == 0
redis.call('HSET', gk, 'id', id, 'host', ARGV[4], 'port', ARGV[5], 'transport', ARGV[6],
           'onion', ARGV[7], 'max_concurrency', ARGV[8])
for i = 9, #ARGV do redis.call('SADD', gk .. ':prov', ARGV[i]) end
redis.call('SADD', p .. ':c:' .. ARGV[2] .. ':targets', id)
if new then return 1 end
return 0
)lua";

// ARGV: prefix, campaign, kind (listed|announced), round, target id... Raises the round of the
// campaign's targets among the ids.
inline constexpr const char* kRecordSighting = R"lua(
local ck, round = ARGV[1] .. ':c:' .. ARGV[2], tonumber(ARGV[4])
local hk = ck .. ':' .. ARGV[3]
for i = 5, #ARGV do
  if redis.call('SISMEMBER', ck .. ':targets', ARGV[i]) == 1 then
    local seen = tonumber(redis.call('HGET', hk, ARGV[i]))
    if not seen or seen < round then redis.call('HSET', hk, ARGV[i], round) end
  end
end
return 1
)lua";

// ARGV: prefix, campaign, round, number of active ids, active ids..., gone ids...
inline constexpr const char* kRecordPlan = R"lua(
local ck, round, n = ARGV[1] .. ':c:' .. ARGV[2], ARGV[3], tonumber(ARGV[4])
for i = 5, #ARGV do
  if redis.call('SISMEMBER', ck .. ':targets', ARGV[i]) == 1 then
    if i < 5 + n then
      redis.call('HSETNX', ck .. ':joined', ARGV[i], round)
      redis.call('HDEL', ck .. ':gone', ARGV[i])
    else
      redis.call('HSETNX', ck .. ':gone', ARGV[i], round)
    end
  end
end
return 1
)lua";

// ARGV: prefix, id, now. 1 if the agent is registered.
inline constexpr const char* kHeartbeat = R"lua(
local ak = ARGV[1] .. ':a:' .. ARGV[2]
if redis.call('EXISTS', ak) == 0 then return 0 end
redis.call('HSET', ak, 'last_heartbeat_ms', ARGV[3])
redis.call('ZADD', ARGV[1] .. ':agents', ARGV[3], ARGV[2])
return 1
)lua";

}  // namespace eo::store::redis::scripts
