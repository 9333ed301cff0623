import { FlowControlScripts } from '../flow-control-script';

/**
 * Circuit breakers as Redis functions, part of the flow-control function library. Every decision
 * and every transition of one breaker is one call, so two workers asking at the same moment see
 * one answer: one of them takes the last probe, one of them opens it, and the event that tells of
 * a transition is published in the same call that makes it.
 *
 * Layout (P = key prefix, D = dependency name; the braces make one hash tag per breaker, so a
 * breaker's three keys live on one slot of a Redis Cluster):
 *   P:breaker:{D}          hash: state (closed | open | half_open), failures (consecutive, while
 *                          closed), successes (probes that succeeded, while half-open), openUntil
 *                          (ms), changedAt (ms), changedTo, reason (of the last transition),
 *                          transitions (count)
 *   P:breaker:{D}:probes   sorted set: the probe calls in flight while half-open, scored by the end
 *                          of their lease; an expired lease is given back (its worker died)
 *   P:breaker:{D}:window   hash: calls and failures of the sliding window, in ten buckets
 *                          (s:<bucket>, f:<bucket>)
 *
 * Every function gets KEYS = [state, probes, window] and
 * ARGV = [channel, dependency, failureThreshold, errorRateThreshold, windowMs, minimumCalls,
 *         coolDownMs, halfOpenProbes, probeLeaseMs, closeAfterSuccesses, maxOpenMs, idleTtlMs, ...].
 * Times come from Redis (the library's nowMs()), so workers whose clocks disagree still share one
 * open-until.
 */
const BREAKER_HELPERS = `
local breakerKey, probesKey, windowKey, channel, dependency, now
local failureThreshold, errorRateThreshold, windowMs, minimumCalls
local coolDownMs, halfOpenProbes, probeLeaseMs, closeAfterSuccesses, maxOpenMs, idleTtlMs
-- A probe turned away while another is in flight asks again within this, not after its lease.
local HALF_OPEN_RETRY_MS = 1000
local WINDOW_BUCKETS = 10

local function breakerEnter(keys, args)
  breakerKey, probesKey, windowKey = keys[1], keys[2], keys[3]
  channel, dependency = args[1], args[2]
  failureThreshold, errorRateThreshold = tonumber(args[3]), tonumber(args[4])
  windowMs, minimumCalls = tonumber(args[5]), tonumber(args[6])
  coolDownMs, halfOpenProbes, probeLeaseMs = tonumber(args[7]), tonumber(args[8]), tonumber(args[9])
  closeAfterSuccesses, maxOpenMs, idleTtlMs = tonumber(args[10]), tonumber(args[11]), tonumber(args[12])
  now = nowMs()
end

local function breakerState()
  return redis.call('HGET', breakerKey, 'state') or 'closed'
end

-- A breaker nobody uses for idleTtlMs is forgotten, as if it had never opened.
local function breakerTouch()
  redis.call('PEXPIRE', breakerKey, idleTtlMs)
end

-- Moves the breaker to 'to', forgets what the old state counted, and publishes the transition.
local function breakerTransition(to, reason, openUntil)
  local from = breakerState()
  redis.call('HSET', breakerKey, 'state', to, 'failures', 0, 'successes', 0, 'openUntil', openUntil,
    'changedAt', now, 'changedTo', to, 'reason', reason)
  redis.call('HINCRBY', breakerKey, 'transitions', 1)
  redis.call('DEL', probesKey, windowKey)
  breakerTouch()
  redis.call('PUBLISH', channel, cjson.encode({
    dependency = dependency, from = from, to = to, at = now, openUntil = openUntil, reason = reason,
  }))
  return to
end

local function breakerOpen(forMs, reason)
  return breakerTransition('open', reason, now + math.min(forMs, maxOpenMs))
end

-- Counts a call in the sliding window; answers the window's calls and failures.
local function breakerCountCall(isFailure)
  local width = math.max(1, math.floor(windowMs / WINDOW_BUCKETS))
  local bucket = math.floor(now / width)
  redis.call('HINCRBY', windowKey, (isFailure and 'f:' or 's:') .. bucket, 1)
  redis.call('PEXPIRE', windowKey, windowMs * 2)
  local fields = redis.call('HGETALL', windowKey)
  local calls, failures, stale = 0, 0, {}
  for i = 1, #fields, 2 do
    local kind, at = string.match(fields[i], '^(%a):(%d+)$')
    if tonumber(at) <= bucket - WINDOW_BUCKETS then
      stale[#stale + 1] = fields[i]
    else
      local count = tonumber(fields[i + 1])
      calls = calls + count
      if kind == 'f' then failures = failures + count end
    end
  end
  if #stale > 0 then redis.call('HDEL', windowKey, unpack(stale)) end
  return calls, failures
end

-- The answer of every function: state, openUntil, the transition this call made ('' if none),
-- and the reason of the last transition.
local function breakerAnswer(decision, transitioned, retryAt)
  return { decision, breakerState(), tonumber(redis.call('HGET', breakerKey, 'openUntil') or '0'),
    transitioned or '', redis.call('HGET', breakerKey, 'reason') or '', retryAt or 0 }
end
`;

/**
 * May a call go to the dependency now? ARGV[13] = a probe token. Answers 'allow' (closed),
 * 'probe' (half-open: the call holds a probe lease under that token until it reports, or the
 * lease ends) or 'deny' (open, or every probe taken), with the time to ask again.
 */
const ACQUIRE = `
local token = ARGV[13]
local state = breakerState()
if state == 'closed' then return breakerAnswer('allow') end
local transitioned
if state == 'open' then
  local openUntil = tonumber(redis.call('HGET', breakerKey, 'openUntil'))
  if now < openUntil then return breakerAnswer('deny', nil, openUntil) end
  transitioned = breakerTransition('half_open', 'cool-down over: probing', 0)
end
redis.call('ZREMRANGEBYSCORE', probesKey, '-inf', now)
if redis.call('ZCARD', probesKey) < halfOpenProbes then
  redis.call('ZADD', probesKey, now + probeLeaseMs, token)
  redis.call('PEXPIRE', probesKey, probeLeaseMs * 2)
  breakerTouch()
  return breakerAnswer('probe', transitioned)
end
local earliest = redis.call('ZRANGE', probesKey, 0, 0, 'WITHSCORES')
return breakerAnswer('deny', transitioned, math.min(tonumber(earliest[2]), now + HALF_OPEN_RETRY_MS))
`;

/**
 * A call's outcome. ARGV[13] = success | failure | rate_limited | ignored, ARGV[14] = its probe
 * token ('' for a call made while closed), ARGV[15] = for rate_limited, how long the dependency
 * asked us to stay away, in ms ('' when it did not say: then it counts as a failure).
 */
const RECORD = `
local outcome, token, openForMs = ARGV[13], ARGV[14], tonumber(ARGV[15])
local isProbe = token ~= '' and redis.call('ZREM', probesKey, token) == 1
local state = breakerState()
if outcome == 'ignored' then return breakerAnswer('recorded') end
if outcome == 'rate_limited' and openForMs then
  local openUntil = now + math.min(openForMs, maxOpenMs)
  if state == 'open' then
    -- Another call was told a later reset: stay away until then, without a new transition.
    if openUntil > tonumber(redis.call('HGET', breakerKey, 'openUntil')) then
      redis.call('HSET', breakerKey, 'openUntil', openUntil)
    end
    return breakerAnswer('recorded')
  end
  return breakerAnswer('recorded', breakerOpen(openForMs, 'rate limited for ' .. openForMs .. ' ms'))
end
local isFailure = outcome ~= 'success'
-- While open, a call that began before it opened says nothing new; while half-open only the
-- probes speak (a call begun while closed may end now).
if state == 'open' or (state == 'half_open' and not isProbe) then return breakerAnswer('recorded') end
if state == 'half_open' then
  if isFailure then return breakerAnswer('recorded', breakerOpen(coolDownMs, 'a probe failed')) end
  local successes = redis.call('HINCRBY', breakerKey, 'successes', 1)
  if successes >= closeAfterSuccesses then
    return breakerAnswer('recorded', breakerTransition('closed', successes .. ' probe(s) succeeded', 0))
  end
  return breakerAnswer('recorded')
end
local calls, failures = breakerCountCall(isFailure)
if not isFailure then
  if redis.call('HGET', breakerKey, 'failures') ~= '0' and redis.call('EXISTS', breakerKey) == 1 then
    redis.call('HSET', breakerKey, 'failures', 0)
    breakerTouch()
  end
  return breakerAnswer('recorded')
end
local consecutive = redis.call('HINCRBY', breakerKey, 'failures', 1)
if redis.call('HSETNX', breakerKey, 'state', 'closed') == 1 then
  redis.call('HSET', breakerKey, 'changedAt', now, 'changedTo', 'closed', 'reason', 'first failure seen', 'openUntil', 0)
end
breakerTouch()
if consecutive >= failureThreshold then
  return breakerAnswer('recorded', breakerOpen(coolDownMs, consecutive .. ' consecutive failures'))
end
if calls >= minimumCalls and failures / calls >= errorRateThreshold then
  local reason = string.format('%d of %d calls failed within %d ms', failures, calls, windowMs)
  return breakerAnswer('recorded', breakerOpen(coolDownMs, reason))
end
return breakerAnswer('recorded')
`;

/** Closes the breaker whatever its state, as an admin asks. Answers 'unknown' for a breaker never seen. */
const RESET = `
if redis.call('EXISTS', breakerKey) == 0 then return breakerAnswer('unknown') end
return breakerAnswer('reset', breakerTransition('closed', ARGV[13], 0))
`;

const enter = (body: string) => `breakerEnter(KEYS, ARGV)\n${body}`;

/** The breaker functions, by their names in the flow-control library. */
export const BREAKER_FUNCTIONS = {
  acquire: 'breaker_acquire',
  record: 'breaker_record',
  reset: 'breaker_reset',
} as const;

/** The breakers' module of the flow-control function library (see flow-control-library.ts). */
export const BREAKER_SCRIPTS: FlowControlScripts = {
  helpers: BREAKER_HELPERS,
  functions: {
    [BREAKER_FUNCTIONS.acquire]: enter(ACQUIRE),
    [BREAKER_FUNCTIONS.record]: enter(RECORD),
    [BREAKER_FUNCTIONS.reset]: enter(RESET),
  },
};
