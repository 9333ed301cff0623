import { FlowControlScripts } from '../flow-control-script';

/**
 * GCRA over a weighted request: `cost` units at one unit per `interval` ms, at most `capacity`
 * units at once. Returns the new theoretical arrival time, or nil and the wait until the request
 * conforms. A cost over the capacity is asked as the capacity (a whole empty bucket), or it could
 * never pass; the caller charges the rest after the call.
 */
const HELPERS = `
local function gcraTry(key, interval, capacity, cost, now)
  if interval <= 0 then return now, 0 end
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local newTat = tat + math.min(cost, capacity) * interval
  local allowAt = newTat - capacity * interval
  if now < allowAt then return nil, math.ceil(allowAt - now) end
  return newTat, 0
end

local function gcraSet(key, tat, now)
  if tat <= now then
    redis.call('DEL', key)
  else
    redis.call('SET', key, tat, 'PX', math.max(1, math.ceil(tat - now)))
  end
end
`;

/**
 * One model call asks both limits of its (provider, model) at once (KEYS[1] requests, KEYS[2]
 * tokens, under one hash tag). ARGV: request interval ms, request burst, token interval ms,
 * token capacity, the call's estimated tokens (an interval of 0: no such limit). Both conform or
 * nothing is counted: returns { 1, 0 }, or { 0, ms } with the longer of the two waits.
 */
const LLM_ACQUIRE = `
local requestInterval, requestBurst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tokenInterval, tokenCapacity, tokens = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = nowMs()
local requestTat, requestWait = gcraTry(KEYS[1], requestInterval, requestBurst, 1, now)
local tokenTat, tokenWait = gcraTry(KEYS[2], tokenInterval, tokenCapacity, tokens, now)
if not requestTat or not tokenTat then return { 0, math.max(requestWait, tokenWait) } end
if requestInterval > 0 then gcraSet(KEYS[1], requestTat, now) end
if tokenInterval > 0 then
  -- What the capacity cut off the admission is charged now: the bucket owes it.
  local rest = math.max(0, tokens - tokenCapacity)
  gcraSet(KEYS[2], tokenTat + rest * tokenInterval, now)
end
return { 1, 0 }
`;

/**
 * Corrects a call's token estimate by what it really spent (KEYS[1] tokens; ARGV: token interval
 * ms, tokens over the estimate, negative for a refund). A refund never takes the bucket past full.
 */
const LLM_CORRECT = `
local interval, delta = tonumber(ARGV[1]), tonumber(ARGV[2])
if interval <= 0 or delta == 0 then return 0 end
local now = nowMs()
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
gcraSet(KEYS[1], tat + delta * interval, now)
return 1
`;

export const LLM_LIMIT_SCRIPTS: FlowControlScripts = {
  helpers: HELPERS,
  functions: { llm_acquire: LLM_ACQUIRE, llm_correct: LLM_CORRECT },
};
