/**
 * The fan-out part of the workflow state machine (see workflow-scripts.lua.ts, whose library
 * includes it). A fan-out step (`forEach`) runs one sub-step per work item: each is a step of its
 * own in the workflow's hash, `step:<stepId>#<index>`, with its item in `item:<stepId>#<index>`
 * and its output in `out:<stepId>#<index>`, so a workflow keeps its two keys however many items
 * it fans out to. The fan-out step's state counts its `items` and the sub-steps `remaining`.
 * Zero items, or too many, never reach these functions: the worker completes or fails the step.
 */

/** Helpers the library's transitions call; they run in the library's prelude. */
export const FAN_OUT_HELPERS = `
-- Completes sub-step id (state step, its run token checked by the caller) with output. Returns
-- nil while other sub-steps of its fan-out step remain; for the last, the fan-out step's id,
-- state and output (the sub-steps' outputs in item order), for the caller to complete it.
local function completeSubStep(id, step, output, durationMs, llmCalls, llmTokens)
  local parentId, index = parentOf(id)
  local parent = cjson.decode(redis.call('HGET', wf, 'step:' .. parentId))
  step.lifecycle = 'COMPLETED'
  step.finishedAt = now
  step.error = nil
  step.lastToken = step.runToken
  step.runToken = nil
  step.durationMs = (step.durationMs or 0) + durationMs
  parent.durationMs = (parent.durationMs or 0) + durationMs
  if llmCalls > 0 then
    step.llmCalls = (step.llmCalls or 0) + llmCalls
    parent.llmCalls = (parent.llmCalls or 0) + llmCalls
    redis.call('HINCRBY', wf, 'llmCalls', llmCalls)
  end
  if llmTokens > 0 then
    step.llmTokens = (step.llmTokens or 0) + llmTokens
    parent.llmTokens = (parent.llmTokens or 0) + llmTokens
    redis.call('HINCRBY', wf, 'llmTokens', llmTokens)
  end
  saveStep(id, step)
  set('out:' .. id, output)
  set('updatedAt', now)
  emitStep(id, step)
  parent.remaining = parent.remaining - 1
  if parent.remaining > 0 then
    saveStep(parentId, parent)
    return nil
  end
  local fields = {}
  for i = 1, parent.items do fields[i] = 'out:' .. parentId .. '#' .. (i - 1) end
  local outputs = redis.call('HMGET', wf, unpack(fields))
  -- This sub-step's output is written only when the script ends.
  outputs[index + 1] = output
  parent.remaining = nil
  return parentId, parent, '[' .. table.concat(outputs, ',') .. ']'
end

-- A sub-step that failed for good fails its fan-out step too (the workflow fails with it).
local function failFanOutOf(id, message)
  local parentId = parentOf(id)
  if not parentId then return end
  local parent = cjson.decode(redis.call('HGET', wf, 'step:' .. parentId))
  parent.lifecycle = 'FAILED'
  parent.finishedAt = now
  parent.error = id .. ': ' .. message
  saveStep(parentId, parent)
  emitStep(parentId, parent)
end

-- Resuming a failed workflow: a fan-out step runs again only its sub-steps that did not complete
-- (the completed keep their outputs). Appends (sub-step id, attempt) pairs to ready.
local function resumeFanOut(parentId, parent, ready)
  local remaining = 0
  for i = 0, parent.items - 1 do
    local id = parentId .. '#' .. i
    local child = cjson.decode(redis.call('HGET', wf, 'step:' .. id))
    if child.lifecycle ~= 'COMPLETED' then
      local attempts = child.attempts or 0
      child = { lifecycle = 'READY', attempts = attempts, firstAttempt = attempts + 1, agent = child.agent,
                durationMs = child.durationMs }
      -- Written at once rather than with the transition's other fields: there may be thousands.
      redis.call('HSET', wf, 'step:' .. id, cjson.encode(child))
      emitStep(id, child)
      ready[#ready + 1] = id
      ready[#ready + 1] = attempts + 1
      remaining = remaining + 1
    end
  end
  parent.lifecycle = 'EXECUTING'
  parent.remaining = remaining
  parent.error = nil
  parent.finishedAt = nil
  saveStep(parentId, parent)
  emitStep(parentId, parent)
end

-- Unpausing: a fan-out step's sub-steps parked while the workflow was paused (held, as other
-- steps are) go to the queue again. Appends (sub-step id, attempt) pairs to ready.
local function releaseHeldSubSteps(parentId, parent, ready)
  for i = 0, parent.items - 1 do
    local id = parentId .. '#' .. i
    local child = cjson.decode(redis.call('HGET', wf, 'step:' .. id))
    if child.lifecycle == 'READY' and child.held then
      local attempt = child.held
      child.held = nil
      child.waitingFor = nil
      redis.call('HSET', wf, 'step:' .. id, cjson.encode(child))
      emitStep(id, child)
      ready[#ready + 1] = id
      ready[#ready + 1] = attempt
    end
  end
end
`;

/**
 * ARGV[5..]: stepId, runToken, then each work item's JSON (one at least). Turns the begun
 * fan-out step into its sub-steps, READY in item order; the step stays EXECUTING until the last
 * completes (see completeSubStep). Returns { 'FANNED_OUT', subStepId, attempt, ... } for the
 * caller to queue (those still READY when its job was delivered again after a crash), or
 * { 'INACTIVE', status } / { 'STALE' }.
 */
export const FAN_OUT_STEP = `
local stepId, token = ARGV[5], ARGV[6]
local r = redis.call('HMGET', wf, 'status', 'step:' .. stepId)
if not r[2] then return { 'INACTIVE', r[1] or 'MISSING' } end
if r[1] ~= 'RUNNING' and r[1] ~= 'WAITING' and r[1] ~= 'PAUSED' then return { 'INACTIVE', r[1] } end
local step = cjson.decode(r[2])
if step.lifecycle ~= 'EXECUTING' or step.runToken ~= token then return { 'STALE' } end
step.runToken = nil
step.lastToken = token
local ready = {}
if step.items then
  for i = 0, step.items - 1 do
    local id = stepId .. '#' .. i
    local child = cjson.decode(redis.call('HGET', wf, 'step:' .. id))
    if child.lifecycle == 'READY' then
      ready[#ready + 1] = id
      ready[#ready + 1] = (child.attempts or 0) + 1
    end
  end
else
  local count = #ARGV - 6
  step.items, step.remaining = count, count
  for i = 1, count do
    local id = stepId .. '#' .. (i - 1)
    local child = { lifecycle = 'READY', attempts = 0, agent = step.agent }
    -- Written at once rather than with the transition's other fields: there may be thousands.
    redis.call('HSET', wf, 'item:' .. id, ARGV[6 + i], 'step:' .. id, cjson.encode(child))
    emitStep(id, child)
    ready[#ready + 1] = id
    ready[#ready + 1] = 1
  end
end
saveStep(stepId, step)
set('updatedAt', now)
flushEvents()
return { 'FANNED_OUT', unpack(ready) }
`;
