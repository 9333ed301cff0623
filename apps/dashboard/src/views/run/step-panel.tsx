import { useEffect } from 'preact/hooks';
import { TERMINAL_STATUSES, type WorkflowEvent, type WorkflowState } from '../../api/types';
import { DISPLAY_LABELS, displayOf, formatDuration } from './run-model';
import type { RunStore } from './run.store';

/** A step's details: the workflow's input, the step's output (or its reference), error, attempts, time and tokens. */
export function StepPanel({
  store,
  state,
  events,
  stepId,
  onClose,
}: {
  store: RunStore;
  state: WorkflowState;
  events: WorkflowEvent[];
  stepId: string;
  onClose: () => void;
}) {
  const step = state.steps.find((candidate) => candidate.stepId === stepId);
  const lifecycle = step?.lifecycle;
  useEffect(() => {
    if (lifecycle === 'COMPLETED') void store.loadOutput(stepId);
    else store.forgetOutput(stepId);
  }, [stepId, lifecycle]);
  if (!step) return null;
  const output = store.outputs.value[stepId];
  const streamed = lifecycle === 'EXECUTING' ? store.feed.streamed.value[stepId] : undefined;
  const display = displayOf(step, state.status);
  const duration =
    state.metrics.agentDurationsMs[stepId] ??
    (step.startedAt
      ? (step.finishedAt ? Date.parse(step.finishedAt) : Date.now()) - Date.parse(step.startedAt)
      : null);
  const errors = events.filter(
    (event) => event.type === 'agent_status' && event.stepId === stepId && event.error,
  ) as Extract<WorkflowEvent, { type: 'agent_status' }>[];
  return (
    <aside class="panel step-panel" aria-labelledby="step-title" data-testid="step-panel">
      <header class="view-header">
        <h2 id="step-title">
          Step <span class="mono">{step.stepId}</span>
        </h2>
        <button type="button" class="ghost" onClick={onClose}>
          Close
        </button>
      </header>
      <dl class="facts">
        <dt>Agent</dt>
        <dd>{step.agent}</dd>
        <dt>Lifecycle</dt>
        <dd data-testid="step-lifecycle">{DISPLAY_LABELS[display]}</dd>
        <dt>Attempts</dt>
        <dd>{step.attempts}</dd>
        {step.iteration && (
          <>
            <dt>Iteration</dt>
            <dd data-testid="step-iteration">
              {step.iteration.current} of {step.iteration.max} (its check sent the work back)
            </dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>{formatDuration(duration)}</dd>
        <dt>Model calls</dt>
        <dd>{step.llmCalls}</dd>
        <dt>Tokens</dt>
        <dd>{step.llmTokens}</dd>
        <dt>Depends on</dt>
        <dd>{step.dependsOn.length ? step.dependsOn.join(', ') : 'nothing'}</dd>
        {step.isReused && (
          <>
            <dt>Reused</dt>
            <dd data-testid="step-reused">not run: its output is the replayed workflow’s</dd>
          </>
        )}
        {step.waitingFor && (
          <>
            <dt>Waiting for</dt>
            <dd>{step.waitingFor}</dd>
          </>
        )}
      </dl>
      {TERMINAL_STATUSES.includes(state.status) && (
        <div class="actions">
          <button
            type="button"
            disabled={store.isActing.value}
            data-testid="replay-step"
            onClick={() => {
              if (
                window.confirm(`Start a new run from step ${stepId}? The steps before it keep their outputs.`)
              )
                void store.replay(stepId);
            }}
          >
            Replay from this step
          </button>
        </div>
      )}
      {(step.error || errors.length > 0) && (
        <>
          <h3>Errors</h3>
          <ul class="plain">
            {errors.map((event) => (
              <li key={event.eventId}>
                Attempt {event.attempt}: {event.error}
              </li>
            ))}
            {errors.length === 0 && step.error && <li>{step.error}</li>}
          </ul>
        </>
      )}
      {streamed !== undefined && (
        <>
          <h3>The model’s answer so far</h3>
          <pre class="json" aria-live="polite" data-testid="step-streamed">
            {streamed}
          </pre>
        </>
      )}
      <h3>Output</h3>
      {!output && <p class="muted">Available once the step has completed.</p>}
      {output?.kind === 'loading' && <p role="status">Loading the output…</p>}
      {output?.kind === 'none' && <p class="muted">{output.message}</p>}
      {output?.kind === 'failed' && <p class="field-error">{output.message}</p>}
      {output?.kind === 'loaded' && <pre class="json">{JSON.stringify(output.output, null, 2)}</pre>}
      <h3>Workflow input</h3>
      <pre class="json">{JSON.stringify(state.input, null, 2)}</pre>
    </aside>
  );
}
