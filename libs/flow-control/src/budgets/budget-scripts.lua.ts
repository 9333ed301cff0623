import { FlowControlScripts } from '../flow-control-script';

/**
 * What a budget allows and what was spent against it (KEYS[1] = its limit hash, KEYS[2] = the
 * period's spend hash; one hash tag). ARGV: the deployment's default tokens and cost ('' for
 * none), used where an admin set nothing; an admin's 'off' lifts a default. Returns
 * { limitTokens, spentTokens, limitCostUsd, spentCostUsd }, a limit '' when there is none. The
 * caller compares: one read, no write, so a refused step changes nothing.
 */
const BUDGET_READ = `
local set = redis.call('HMGET', KEYS[1], 'tokens', 'costUsd')
local spent = redis.call('HMGET', KEYS[2], 'tokens', 'costUsd')
local function limitOf(value, default)
  if value == 'off' then return '' end
  return value or default
end
return { limitOf(set[1], ARGV[1]), spent[1] or '0', limitOf(set[2], ARGV[2]), spent[2] or '0' }
`;

/**
 * Counts what a model call spent (KEYS[1] = the period's spend hash). ARGV: tokens, cost in USD,
 * and when the counts may go: 'at' an epoch ms (a day's key, a day after the day ends) or 'in' ms
 * from now (a workflow's, renewed by each call). Returns { tokens, costUsd } spent so far.
 */
const BUDGET_SPEND = `
local tokens = redis.call('HINCRBY', KEYS[1], 'tokens', tonumber(ARGV[1]))
local cost = redis.call('HINCRBYFLOAT', KEYS[1], 'costUsd', ARGV[2])
if ARGV[3] == 'at' then
  redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[4]))
else
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
end
return { tokens, cost }
`;

/**
 * Sets a budget (KEYS[1] = its limit hash). ARGV: tokens and cost, each a number, 'off' (no limit,
 * whatever the default) or '' (the default); then a TTL in ms (0: kept). Returns 1.
 */
const BUDGET_SET = `
for i, field in ipairs({ 'tokens', 'costUsd' }) do
  if ARGV[i] == '' then redis.call('HDEL', KEYS[1], field)
  else redis.call('HSET', KEYS[1], field, ARGV[i]) end
end
local ttlMs = tonumber(ARGV[3])
if ttlMs > 0 then redis.call('PEXPIRE', KEYS[1], ttlMs)
elseif redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PERSIST', KEYS[1]) end
return 1
`;

/**
 * Remembers a step job waiting for a budget (KEYS[1] = the budget's waiting set, ARGV[1] =
 * `queue|jobId`), for as long as a refused step might wait unasked (ARGV[2] ms). Returns 1.
 */
const BUDGET_WAIT = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

/** Takes every job waiting for a budget (KEYS[1] = its waiting set), for the caller to wake. */
const BUDGET_TAKE_WAITING = `
local waiting = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return waiting
`;

/**
 * Adds a subject to the index of budgeted subjects, or removes it (KEYS[1] = the index, a sorted
 * set of `scope:subject` → when its budget lapses in epoch ms, '+inf' for never; KEYS[2] = the
 * index's version, one hash tag). ARGV: member, then an epoch ms, '+inf', or 'remove', then the
 * channel workers listen on. Every change bumps the version and publishes it, so that workers read
 * the index again at once (and, should a message be lost, at their next poll). Returns the version.
 */
const BUDGET_INDEX = `
if ARGV[2] == 'remove' then redis.call('ZREM', KEYS[1], ARGV[1])
else redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], version)
return version
`;

/**
 * The budgeted subjects, if they changed (KEYS as for budget_index). ARGV: the version the caller
 * holds, and now in epoch ms. Returns { version } when unchanged, else { version, members... }
 * without those that lapsed (dropped here: the index heals as it is read).
 */
const BUDGET_SUBJECTS = `
local version = redis.call('GET', KEYS[2]) or '0'
if version == ARGV[1] then return { version } end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
table.insert(members, 1, version)
return members
`;

export const BUDGET_SCRIPTS: FlowControlScripts = {
  helpers: '',
  functions: {
    budget_read: BUDGET_READ,
    budget_spend: BUDGET_SPEND,
    budget_set: BUDGET_SET,
    budget_wait: BUDGET_WAIT,
    budget_take_waiting: BUDGET_TAKE_WAITING,
    budget_index: BUDGET_INDEX,
    budget_subjects: BUDGET_SUBJECTS,
  },
};
