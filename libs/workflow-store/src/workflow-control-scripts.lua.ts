import { APPROVAL_WAITING_REASON } from './approval-steps';
import { WORKFLOW_KEY_NAMES as K } from './workflow-keys';

/**
 * The transitions a person asks for, beside the steps' own (see workflow-scripts.lua.ts, whose
 * library includes them): deciding an approval step, pausing and resuming, and replaying a
 * workflow from one of its steps. They use the prelude's admit(), which knows approval steps and
 * pauses, and end a workflow with its completeWorkflow() and failWorkflow().
 */

/**
 * Helpers the control transitions call; they run in the library's prelude.
 * readySuccessors: readies the successors of a step this script completed (its state not yet written) as
 * COMPLETE_STEP does, without claiming any. Returns the (id, attempt) pairs to hand to the queues.
 */
export const CONTROL_HELPERS = `
local function readySuccessors(graph, stepId)
  local dispatch = {}
  for _, id in ipairs(split(redis.call('HGET', graph, 'next:' .. stepId))) do
    local other = cjson.decode(redis.call('HGET', wf, 'step:' .. id))
    if other.lifecycle == 'REGISTERED' then
      local next = redis.call('HMGET', graph, 'deps:' .. id, 'approval:' .. id)
      local met = true
      for _, dep in ipairs(split(next[1])) do
        if dep ~= stepId and cjson.decode(redis.call('HGET', wf, 'step:' .. dep)).lifecycle ~= 'COMPLETED' then met = false end
      end
      if met then
        other.lifecycle = 'READY'
        local admitted = admit(id, other, next[2] ~= false)
        saveStep(id, other)
        emitStep(id, other)
        if admitted ~= 'held' then
          dispatch[#dispatch + 1] = id
          dispatch[#dispatch + 1] = (other.attempts or 0) + 1
        end
      end
    end
  end
  return dispatch
end
`;

/**
 * Creates a workflow that replays another from one of its steps (KEYS[2]: the original's hash):
 * of the original's graph, the steps given as reused start COMPLETED with the original's recorded
 * outputs (copied; a large output's reference is copied and its stored output kept longer), and
 * the steps whose dependencies are all reused (the step replayed from) start READY.
 * ARGV[5..]: metaJson, reused step ids (comma-separated), seconds a stored large output is kept.
 * Returns { 'CREATED' }, { 'EXISTS' } (this call resent: the workflow id is new per replay),
 * { 'GONE' } when the original's state (or its graph) is no longer in Redis, or
 * { 'NOT_COMPLETED', stepId, lifecycle } when a step to reuse has no recorded output.
 */
export const REPLAY_WORKFLOW = `
local meta, reused, blobTtl = ARGV[5], split(ARGV[6]), tonumber(ARGV[7])
local original = KEYS[2]
if redis.call('EXISTS', wf) == 1 then return { 'EXISTS' } end
local graphId = redis.call('HGET', original, 'graphId')
if not graphId then return { 'GONE' } end
local graph = graphKey(graphId)
local template = graph .. ':new'
if redis.call('EXISTS', graph, template) < 2 then return { 'GONE' } end
local recorded = {}
if #reused > 0 then
  local fields = {}
  for i, id in ipairs(reused) do
    fields[2 * i - 1] = 'step:' .. id
    fields[2 * i] = 'out:' .. id
  end
  local values = redis.call('HMGET', original, unpack(fields))
  for i, id in ipairs(reused) do
    local state = values[2 * i - 1] and cjson.decode(values[2 * i - 1])
    if not state or state.lifecycle ~= 'COMPLETED' or not values[2 * i] then
      return { 'NOT_COMPLETED', id, state and state.lifecycle or 'MISSING' }
    end
    recorded[id] = { agent = state.agent, output = values[2 * i] }
  end
end
redis.call('COPY', template, wf)
seq = 0
liveStatus = 'PENDING'
set('meta', meta)
set('graphId', graphId)
set('createdAt', now)
set('createdAtMs', nowMs)
set('done', #reused)
local order = split(redis.call('HGET', graph, 'order'))
for _, id in ipairs(order) do
  local step
  if recorded[id] then
    -- No duration, attempts or tokens: the new workflow's metrics count only what it runs.
    step = { lifecycle = 'COMPLETED', attempts = 0, agent = recorded[id].agent, isReused = true, finishedAt = now }
    set('out:' .. id, recorded[id].output)
    -- Every reference in it, a fan-out's list of outputs holding one per large element too.
    for sha256 in string.gmatch(recorded[id].output, '"%$ref":"sha256:(%x+)"') do
      local blob = shard .. ':${K.output}:' .. sha256
      if redis.call('TTL', blob) < blobTtl then redis.call('EXPIRE', blob, blobTtl) end
    end
  else
    step = cjson.decode(redis.call('HGET', template, 'step:' .. id))
    local isReady = true
    for _, dep in ipairs(split(redis.call('HGET', graph, 'deps:' .. id))) do
      if not recorded[dep] then isReady = false end
    end
    step.lifecycle = isReady and 'READY' or 'REGISTERED'
    -- An approval step replayed from waits for a person again (the workflow WAITING).
    if isReady then admit(id, step, isApprovalStep(graphId, id)) end
  end
  saveStep(id, step)
  emitStep(id, step)
end
setStatus(liveStatus, nil, nowMs)
progress(#reused, #order, liveStatus)
local replayOf = cjson.decode(meta).replayOf
emit({ type = 'log', level = 'info', stepId = cjson.null, agent = cjson.null,
       message = 'replay of workflow ' .. replayOf.workflowId .. ' from step ' .. replayOf.fromStep ..
         ' (' .. #reused .. ' steps reused)' }, { { 'metadata', cjson.encode(replayOf) } })
flushEvents()
return { 'CREATED' }
`;

/**
 * Decides a waiting approval step. ARGV[5..]: stepId, decision ('approve' or 'fail'), outputJson
 * (approve), message (logged; the error when it fails), ttlSeconds. Approving completes the step
 * with the output and readies its successors; failing ends the workflow FAILED naming the step.
 * Returns { 'APPROVED', status, graphId, stepId, attempt, ... } (the steps to queue),
 * { 'FAILED' }, { 'NOT_WAITING', status, lifecycle }, { 'NOT_APPROVAL' }, { 'NO_STEP' } or { 'MISSING' }.
 */
export const DECIDE_APPROVAL = `
local stepId, decision, output, message, ttl = ARGV[5], ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])
local r = redis.call('HMGET', wf, 'status', 'step:' .. stepId, 'seq', 'done', 'graphId', 'approvalsWaiting',
  'stepsHoldingWorkflow')
local status = r[1]
if not status then return { 'MISSING' } end
if not r[2] then return { 'NO_STEP' } end
local graph = graphKey(r[5])
if redis.call('HEXISTS', graph, 'approval:' .. stepId) == 0 then return { 'NOT_APPROVAL' } end
local step = cjson.decode(r[2])
if status == 'COMPLETED' or status == 'FAILED' or status == 'CANCELLED' or step.lifecycle ~= 'READY'
  or step.waitingFor ~= '${APPROVAL_WAITING_REASON}' then
  return { 'NOT_WAITING', status, step.lifecycle }
end
seq = tonumber(r[3])
redis.call('HINCRBY', wf, 'approvalsWaiting', -1)
liveStatus = status
-- Still WAITING while another approval, or a step waiting for its budget, holds it.
if status == 'WAITING' and tonumber(r[6] or '1') <= 1 and tonumber(r[7] or '0') <= 0 then liveStatus = 'RUNNING' end
step.waitingFor = nil
step.finishedAt = now
if decision == 'fail' then
  step.lifecycle = 'FAILED'
  step.error = message
  saveStep(stepId, step)
  failWorkflow(stepId, step, message, ttl)
  return { 'FAILED' }
end
step.lifecycle = 'COMPLETED'
saveStep(stepId, step)
set('out:' .. stepId, output)
emitStep(stepId, step)
emit({ type = 'log', level = 'info', stepId = stepId, agent = step.agent, logId = cjson.null, message = message },
     { { 'metadata', '{}' } })
local ready = readySuccessors(graph, stepId)
if liveStatus ~= status then setStatus(liveStatus, status) end
local total = tonumber(redis.call('HGET', graph, 'total'))
local done = progress(tonumber(r[4]) + 1, total, liveStatus)
set('done', done)
if done == total then
  completeWorkflow(graph, stepId, step, output, ttl)
  return { 'APPROVED', 'COMPLETED', r[5] }
end
flushEvents()
return { 'APPROVED', liveStatus, r[5], unpack(ready) }
`;

/**
 * Pauses a PENDING, RUNNING or WAITING workflow: no step begins while it is PAUSED (a step's job
 * that arrives is parked), running steps finish and their successors are held.
 * ARGV[5..]: message (logged). Returns { 'PAUSED' }, { 'NOT_ACTIVE', status } or { 'MISSING' }.
 */
export const PAUSE_WORKFLOW = `
local r = redis.call('HMGET', wf, 'status', 'done', 'graphId', 'createdAtMs')
local status = r[1]
if not status then return { 'MISSING' } end
if status ~= 'PENDING' and status ~= 'RUNNING' and status ~= 'WAITING' then return { 'NOT_ACTIVE', status } end
setStatus('PAUSED', status, r[4])
emit({ type = 'log', level = 'info', stepId = cjson.null, agent = cjson.null, logId = cjson.null,
       message = ARGV[5] }, { { 'metadata', '{}' } })
progress(tonumber(r[2]), tonumber(redis.call('HGET', graphKey(r[3]), 'total')), 'PAUSED')
flushEvents()
return { 'PAUSED' }
`;

/**
 * Resumes a PAUSED workflow: the steps it held (parked jobs, successors readied while paused) are
 * readied again for the caller to queue, and it goes back to RUNNING (WAITING while an approval
 * step or a step held by its budget waits, PENDING if no step had begun). ARGV[5..]: message (logged).
 * Returns { 'UNPAUSED', status, graphId, stepId, attempt, ... }, { 'NOT_PAUSED', status } or { 'MISSING' }.
 */
export const UNPAUSE_WORKFLOW = `
local r = redis.call('HMGET', wf, 'status', 'done', 'graphId', 'startedAtMs', 'approvalsWaiting', 'createdAtMs',
  'stepsHoldingWorkflow')
local status = r[1]
if not status then return { 'MISSING' } end
if status ~= 'PAUSED' then return { 'NOT_PAUSED', status } end
if not r[4] then liveStatus = 'PENDING'
elseif tonumber(r[5] or '0') > 0 or tonumber(r[7] or '0') > 0 then liveStatus = 'WAITING'
else liveStatus = 'RUNNING' end
local graph = loadGraph(r[3])
local steps = loadSteps(graph)
local ready = {}
for _, id in ipairs(graph.order) do
  local step = steps[id]
  if step.items and step.lifecycle == 'EXECUTING' then releaseHeldSubSteps(id, step, ready) end
  if step.lifecycle == 'READY' and step.held then
    local attempt = step.held
    step.held = nil
    step.waitingFor = nil
    admit(id, step, isApprovalStep(r[3], id))
    saveStep(id, step)
    emitStep(id, step)
    ready[#ready + 1] = id
    ready[#ready + 1] = attempt
  end
end
setStatus(liveStatus, status, r[6])
emit({ type = 'log', level = 'info', stepId = cjson.null, agent = cjson.null, logId = cjson.null,
       message = ARGV[5] }, { { 'metadata', '{}' } })
progress(tonumber(r[2]), #graph.order, liveStatus)
flushEvents()
return { 'UNPAUSED', liveStatus, r[3], unpack(ready) }
`;
