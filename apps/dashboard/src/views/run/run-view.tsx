import { useEffect, useMemo, useState } from 'preact/hooks';
import { TERMINAL_STATUSES } from '../../api/types';
import { Link } from '../../components/link';
import { Notice } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { location, setQuery } from '../../router';
import { isAdmin } from '../../session';
import { LogStream } from './log-stream';
import { controlsOf } from './run-controls';
import { formatDuration, sitePathOf } from './run-model';
import { RunStore } from './run.store';
import { StepPanel } from './step-panel';
import { Waterfall } from './waterfall';
import { WorkflowGraph } from './workflow-graph';

export function RunView({ workflowId }: { workflowId: string }) {
  const store = useMemo(() => new RunStore(workflowId), [workflowId]);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    void store.feed.open();
    return () => store.feed.close();
  }, [store]);

  const feedStatus = store.feed.status.value;
  const state = store.feed.state.value;
  const events = store.feed.events.value;
  const isRunning = state ? !TERMINAL_STATUSES.includes(state.status) : false;

  useEffect(() => {
    if (!isRunning) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [isRunning]);

  // The selected step is in the URL (`?step=`), so a step's panel has a link of its own.
  const selectedStepId = location.value.query.get('step');
  const select = (stepId: string | null) => {
    const query = new URLSearchParams(location.value.query);
    if (stepId && stepId !== selectedStepId) query.set('step', stepId);
    else query.delete('step');
    setQuery(query);
  };

  if (feedStatus.kind === 'loading') return <p role="status">Loading workflow {workflowId}…</p>;
  if (feedStatus.kind === 'not-found')
    return (
      <section class="panel" data-testid="run-not-found" role="alert">
        <h1>{feedStatus.message}</h1>
        <p>
          It does not exist, or belongs to another tenant. <Link to="/">Back to the runs</Link>
        </p>
      </section>
    );
  if (feedStatus.kind === 'failed' || !state)
    return (
      <Notice kind="error" testId="run-error">
        Could not load workflow {workflowId}: {feedStatus.kind === 'failed' ? feedStatus.message : 'no state'}
      </Notice>
    );

  const sitePath = state.status === 'COMPLETED' ? sitePathOf(state.result) : null;
  const completed = state.steps.filter((step) => step.lifecycle === 'COMPLETED').length;
  const action = store.actionMessage.value;
  const controls = controlsOf(state);
  const hasStep = selectedStepId !== null && state.steps.some((step) => step.stepId === selectedStepId);
  return (
    <div
      class="run-view"
      data-testid="run-view"
      data-last-event-id={events.at(-1)?.eventId ?? 0}
      data-events-received={events.length}
    >
      <section class="panel run-header" aria-labelledby="run-title">
        <div class="view-header">
          <h1 id="run-title">
            {state.type} <span class="mono small">{state.workflowId}</span>
          </h1>
          <span role="status" aria-live="polite">
            <StatusBadge status={state.status} testId="run-status" />
          </span>
        </div>
        <dl class="facts inline">
          <dt>Steps</dt>
          <dd data-testid="run-progress">
            {completed}/{state.steps.length} completed
          </dd>
          <dt>Started</dt>
          <dd>{new Date(state.createdAt).toLocaleString()}</dd>
          <dt>Duration</dt>
          <dd>
            {formatDuration(
              state.metrics.totalDurationMs ??
                (state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(state.createdAt),
            )}
          </dd>
          {isAdmin() && (
            <>
              <dt>Tenant</dt>
              <dd>{state.tenantId}</dd>
            </>
          )}
          <dt>Retries</dt>
          <dd>{state.metrics.retryCount}</dd>
          <dt>LLM tokens</dt>
          <dd>{state.metrics.llmTokens}</dd>
        </dl>
        {state.replayOf && (
          <p data-testid="replay-of">
            Replay of{' '}
            <Link to={`/runs/${state.replayOf.workflowId}`}>
              <span class="mono small">{state.replayOf.workflowId}</span>
            </Link>{' '}
            from step <strong>{state.replayOf.fromStep}</strong>.{' '}
            <Link to={`/runs/${state.workflowId}/diff/${state.replayOf.workflowId}`}>Compare with it</Link>
          </p>
        )}
        {state.error && (
          <Notice kind="error" testId="run-failure">
            {state.error}
          </Notice>
        )}
        <div class="actions">
          {isRunning && (
            <button
              type="button"
              class="danger"
              disabled={store.isActing.value}
              onClick={() => {
                // A native confirm: one step, modal, keyboard-operable, and easy to drive in tests.
                if (window.confirm('Cancel this workflow? Its running steps are told to stop.'))
                  void store.cancel();
              }}
            >
              Cancel
            </button>
          )}
          {controls.canPause && (
            <button
              type="button"
              disabled={store.isActing.value}
              onClick={() => void store.pause()}
              data-testid="pause-run"
            >
              Pause
            </button>
          )}
          {controls.canResume && (
            <button
              type="button"
              class="primary"
              disabled={store.isActing.value}
              onClick={() => void store.resume()}
              data-testid="resume-run"
            >
              Resume
            </button>
          )}
          {state.status === 'FAILED' && (
            <button
              type="button"
              class="primary"
              disabled={store.isActing.value}
              onClick={() => void store.retry()}
            >
              Retry from the failure
            </button>
          )}
          {sitePath && (
            <a class="button primary" href={sitePath} target="_blank" rel="noopener" data-testid="site-link">
              Open the published site
            </a>
          )}
        </div>
        {controls.awaitingApproval.map((stepId) => (
          <div
            key={stepId}
            class="actions approval"
            role="group"
            aria-label={`Step ${stepId} waits for approval`}
            data-testid={`approval-${stepId}`}
          >
            <span>
              Step <strong>{stepId}</strong> waits for a person’s approval.
            </span>
            <button
              type="button"
              class="primary"
              disabled={store.isActing.value}
              onClick={() => {
                // Native prompts: modal, keyboard-operable, easy to drive in tests; null is a cancel.
                const comment = window.prompt(`Approve step ${stepId}? A comment (optional):`, '');
                if (comment !== null) void store.approve(stepId, comment);
              }}
            >
              Approve
            </button>
            <button
              type="button"
              class="danger"
              disabled={store.isActing.value}
              onClick={() => {
                const reason = window.prompt(`Reject step ${stepId}? The workflow ends. Why:`, '');
                if (reason !== null) void store.reject(stepId, reason);
              }}
            >
              Reject
            </button>
          </div>
        ))}
        {action && (
          <Notice kind={action.kind} testId="action-result">
            {action.text}
          </Notice>
        )}
      </section>

      <div class={hasStep ? 'run-body with-panel' : 'run-body'}>
        <section class="panel" aria-labelledby="graph-title">
          <h2 id="graph-title">Graph</h2>
          <WorkflowGraph state={state} selectedStepId={selectedStepId} onSelect={select} />
        </section>
        {hasStep && selectedStepId && (
          <StepPanel
            store={store}
            state={state}
            events={events}
            stepId={selectedStepId}
            onClose={() => select(null)}
          />
        )}
      </div>

      <section class="panel" aria-labelledby="waterfall-title">
        <h2 id="waterfall-title">Waterfall</h2>
        <Waterfall state={state} events={events} now={now} onSelect={select} />
      </section>

      <LogStream store={store} stored={store.feed.storedLogs.value} events={events} />
    </div>
  );
}
