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
 * Places a step queued for a tenant (start-time fair queuing). KEYS[1]: the queue's clock,
 * KEYS[2]: the tenant's bands on that queue. ARGV: the workflow priority (1..5), the keys' TTL in
 * ms. The step's band is the later of the band being served (v) and the tenant's next free band
 * at its priority or a higher one; that priority's next free band becomes the one after it. So a
 * tenant's steps keep their order, a tenant that starts queuing lands where the queue is being
 * served (not behind another's backlog), and a priority-1 step passes the tenant's queued
 * priority-3 ones. Bands start over (a new epoch) whenever nothing is queued; a tenant's bands of
 * an older epoch are void. Returns the band.
 */
const FAIR_ENQUEUE = `
local priority, ttlMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('HMGET', KEYS[1], 'v', 'e')
local band, epoch = tonumber(clock[1] or 0), clock[2]
if not epoch then
  epoch = tostring(nowMs())
  redis.call('HSET', KEYS[1], 'e', epoch)
end
local tenant = redis.call('HMGET', KEYS[2], 'e', '1', '2', '3', '4', '5')
if tenant[1] == epoch then
  for p = 1, priority do band = math.max(band, tonumber(tenant[p + 1] or 0)) end
else
  redis.call('DEL', KEYS[2])
end
redis.call('HSET', KEYS[2], 'e', epoch, ARGV[1], band + 1)
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('PEXPIRE', KEYS[1], ttlMs)
redis.call('PEXPIRE', KEYS[2], ttlMs)
return band
`;

/**
 * Counts a step as taken off its queue (KEYS[1], the queue's clock). ARGV: the step's band (''
 * when its job predates bands), the clock's TTL in ms. The clock moves to the band taken; when no
 * step is left queued, a new epoch starts from band 0, so bands stay far below BullMQ's highest
 * priority number. The TTL is renewed by every queued step, so here only when the clock may have
 * been created afresh (it had expired under a step still queued).
 */
const FAIR_DEQUEUE = `
if redis.call('HINCRBY', KEYS[1], 'n', -1) <= 0 then
  local epoch = tonumber(redis.call('HGET', KEYS[1], 'e') or 0)
  redis.call('HSET', KEYS[1], 'n', 0, 'v', 0, 'e', tostring(math.max(nowMs(), epoch + 1)))
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
elseif ARGV[1] ~= '' and tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'v') or 0) then
  redis.call('HSET', KEYS[1], 'v', ARGV[1])
end
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
