/**
 * The quality-loop transition of the workflow state machine (see workflow-scripts.lua.ts, whose
 * library includes it). A step declaring `revise` (RevisionSpec in revision-loops.ts, read from
 * the graph's JSON: revisions are rare, so the decode costs nothing on the steps' hot path) may
 * send its target's work back instead of completing.
 *
 * State it keeps in the workflow's hash:
 *   iterations        JSON { checkerId: n }: the iteration each loop is in (1 until it sends work
 *                     back; the new-workflow hash starts every loop at 1), copied into the metrics
 *   feedback:<target> JSON { from, iteration, maxIterations, feedback }: what the target reads as
 *                     `context.feedback` (its step state has hasFeedback, so stepContext() sends it)
 * The steps run again keep their attempt counts (each run is a new attempt, so its queue job id is
 * new; retries count from firstAttempt) and their time and tokens (the metrics add up every
 * iteration); their outputs are overwritten by the next run. What each iteration was told stays
 * in the log event this transition writes (its metadata holds the feedback).
 */

/**
 * ARGV[5..]: stepId (the checker), runToken, feedbackJson, summary (one line, for the log and the
 * error), durationMs, ttlSeconds. Below the loop's bound: the target becomes READY with the
 * feedback, the steps between it and the checker and the checker itself REGISTERED (run again as
 * their dependencies complete), one agent_status each, a log event and progress; the workflow
 * keeps its status. At the bound: the checker FAILED and the workflow with it.
 * Returns { 'REVISED', iteration, maxIterations, targetId, [attempt] } (the target's attempt to
 * queue; none while the workflow is PAUSED, which holds it), { 'FAILED', message }, { 'NO_LOOP' }
 * (the step declares no revise), { 'INACTIVE', status } or { 'STALE' }. A resent call (same run
 * token) gets the first call's answer and resets nothing again.
 */
export const REVISE_STEP = `
local stepId, token, feedback, summary = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local durationMs, ttl = tonumber(ARGV[9]), tonumber(ARGV[10])
local r = redis.call('HMGET', wf, 'status', 'step:' .. stepId, 'seq', 'done', 'graphId', 'iterations')
local status = r[1]
if not status or not r[2] then return { 'INACTIVE', status or 'MISSING' } end
local step = cjson.decode(r[2])
local revisions = loadGraph(r[5]).revisions
local loop = revisions and revisions[stepId]
if step.lastToken == token and loop then
  -- This very call again (the client resent it after losing the connection): same answer.
  if step.lifecycle == 'FAILED' then return { 'FAILED', step.error } end
  local target = cjson.decode(redis.call('HGET', wf, 'step:' .. loop.step))
  local reply = { 'REVISED', step.iteration, loop.maxIterations, loop.step }
  if target.lifecycle == 'READY' and not target.held then reply[5] = (target.attempts or 0) + 1 end
  return reply
end
if status ~= 'RUNNING' and status ~= 'WAITING' and status ~= 'PAUSED' then return { 'INACTIVE', status } end
if step.runToken ~= token or step.lifecycle ~= 'EXECUTING' then return { 'STALE' } end
if not loop then return { 'NO_LOOP' } end
seq = tonumber(r[3])
local iterations = cjson.decode(r[6] or '{}')
local iteration = iterations[stepId] or 1
step.durationMs = (step.durationMs or 0) + durationMs
step.runToken, step.claimedBy = nil, nil
step.lastToken = token
if iteration >= loop.maxIterations then
  redis.call('HINCRBY', wf, 'errorCount', 1)
  local message = stepId .. ' still failing after ' .. iteration .. ' iteration' ..
    (iteration == 1 and '' or 's') .. ': ' .. summary
  step.lifecycle = 'FAILED'
  step.error = message
  step.finishedAt = now
  saveStep(stepId, step)
  failWorkflow(stepId, step, message, ttl)
  return { 'FAILED', message }
end
iteration = iteration + 1
iterations[stepId] = iteration
set('iterations', cjson.encode(iterations))
set('updatedAt', now)
liveStatus = status
local fields = {}
for i, id in ipairs(loop.steps) do fields[i] = 'step:' .. id end
local states = redis.call('HMGET', wf, unpack(fields))
local targetState
for i, id in ipairs(loop.steps) do
  local old = cjson.decode(states[i])
  local attempts = old.attempts or 0
  -- minAttempt fences off a job of an earlier iteration delivered again (its worker died before
  -- acknowledging it): it must not begin the step's new run.
  local again = { lifecycle = 'REGISTERED', attempts = attempts, firstAttempt = attempts + 1,
                  minAttempt = attempts + 1, agent = old.agent, durationMs = old.durationMs,
                  llmCalls = old.llmCalls, llmTokens = old.llmTokens,
                  iteration = iteration, maxIterations = loop.maxIterations }
  if id == loop.step then
    again.lifecycle = 'READY'
    again.hasFeedback = true
    admit(id, again, false)
    targetState = again
  end
  saveStep(id, again)
  emitStep(id, again)
end
local attempts = step.attempts or 0
local checker = { lifecycle = 'REGISTERED', attempts = attempts, firstAttempt = attempts + 1,
                  minAttempt = attempts + 1, agent = step.agent, durationMs = step.durationMs,
                  llmCalls = step.llmCalls, llmTokens = step.llmTokens,
                  iteration = iteration, maxIterations = loop.maxIterations, lastToken = token }
saveStep(stepId, checker)
emitStep(stepId, checker)
set('feedback:' .. loop.step, encodeWithRaw({ from = stepId, iteration = iteration, maxIterations = loop.maxIterations },
  { { 'feedback', feedback } }))
emit({ type = 'log', level = 'warning', stepId = stepId, agent = step.agent, logId = cjson.null,
       message = stepId .. ' sent the work back to ' .. loop.step .. ' (iteration ' .. iteration .. ' of ' ..
         loop.maxIterations .. '): ' .. summary },
     { { 'metadata', encodeWithRaw({ iteration = iteration, maxIterations = loop.maxIterations, target = loop.step },
         { { 'feedback', feedback } }) } })
local done = progress(tonumber(r[4]) - #loop.steps, tonumber(redis.call('HGET', graphKey(r[5]), 'total')), liveStatus)
set('done', done)
flushEvents()
local reply = { 'REVISED', iteration, loop.maxIterations, loop.step }
if not targetState.held then reply[5] = (targetState.attempts or 0) + 1 end
return reply
`;
