import { FlowControlScripts } from './flow-control-script';

/**
 * A GCRA rate limit (KEYS[1] = its arrival-time key). ARGV: emission interval in ms (period /
 * requests), burst (requests allowed at once, >= 1). Returns { 1, 0 } admitted, or { 0, ms }:
 * how long until one more request conforms. One key, one number: no bucket to refill, and the
 * key expires as soon as the limit is back to a full burst.
 */
const RATE_ACQUIRE = `
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = nowMs()
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allowAt = tat - (burst - 1) * interval
if now < allowAt then return { 0, math.ceil(allowAt - now) } end
local newTat = tat + interval
redis.call('SET', KEYS[1], newTat, 'PX', math.max(1, math.ceil(newTat - now)))
return { 1, 0 }
`;

/**
 * Takes a slot of a concurrency limit (KEYS[1] = its sorted set of leases). ARGV: slots, lease
 * in ms, holder token. Leases past their end are dropped first: a holder that died frees its slot
 * when its lease runs out. Taking a slot again with the same token renews it. Returns { 1, 0 }
 * taken, or { 0, ms }: when the earliest lease ends (a slot released before then is taken by
 * whoever asks first).
 */
const SLOT_ACQUIRE = `
local slots, leaseMs, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = nowMs()
-- Expired leases are swept only when the slots look full: the usual call is one ZCARD and one ZADD.
local taken = redis.call('ZCARD', KEYS[1])
if taken >= slots then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  taken = redis.call('ZCARD', KEYS[1])
end
if taken < slots or redis.call('ZSCORE', KEYS[1], token) then
  redis.call('ZADD', KEYS[1], now + leaseMs, token)
  -- Every lease has the same length, so the newest ends last: the key lives exactly as long.
  redis.call('PEXPIRE', KEYS[1], leaseMs)
  return { 1, 0 }
end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { 0, math.max(1, math.ceil(tonumber(earliest[2]) - now)) }
`;

/**
 * Extends a held lease (KEYS[1], ARGV: lease in ms, token). Returns 1, or 0 when the lease had
 * already run out and another holder may have the slot: the step runs on, over the limit by one
 * for the rest of its run (stopping a step halfway would be worse), and the caller logs it.
 */
const SLOT_RENEW = `
local leaseMs, token = tonumber(ARGV[1]), ARGV[2]
local now = nowMs()
local ends = redis.call('ZSCORE', KEYS[1], token)
if not ends or tonumber(ends) <= now then return 0 end
redis.call('ZADD', KEYS[1], now + leaseMs, token)
if redis.call('PTTL', KEYS[1]) < leaseMs then redis.call('PEXPIRE', KEYS[1], leaseMs) end
return 1
`;

/** Frees a slot (KEYS[1], ARGV: token). Returns 1 when the token held one. */
const SLOT_RELEASE = `
return redis.call('ZREM', KEYS[1], ARGV[1])
`;

/**
 * Counts a step queued for a tenant (KEYS[1], the tenant's hash on one queue) at a workflow
 * priority (ARGV[1], 1..5) and returns how many of the tenant's steps queued there are ahead of
 * it (those at the same or a higher priority, 1 being the highest). ARGV[2]: the hash's TTL in
 * ms, renewed on every step, so a count left wrong by a lost job heals once the tenant is idle.
 */
const FAIR_ENQUEUE = `
local priority, ttlMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local counts = redis.call('HMGET', KEYS[1], '1', '2', '3', '4', '5')
local ahead = 0
for p = 1, priority do ahead = ahead + tonumber(counts[p] or 0) end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ttlMs)
return ahead
`;

/** Counts a tenant's step as taken off its queue (KEYS[1], ARGV[1]: its priority), never below 0. */
const FAIR_DEQUEUE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
return 1
`;

export const LIMIT_SCRIPTS: FlowControlScripts = {
  helpers: '',
  functions: {
    rate_acquire: RATE_ACQUIRE,
    slot_acquire: SLOT_ACQUIRE,
    slot_renew: SLOT_RENEW,
    slot_release: SLOT_RELEASE,
    fair_enqueue: FAIR_ENQUEUE,
    fair_dequeue: FAIR_DEQUEUE,
  },
};
