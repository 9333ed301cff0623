import type { WorkflowEvent, WorkflowState } from '../../api/types';
import { depthsOf } from '../../../../../libs/contracts/src/step-depths';
import { formatDuration, subStepKey, waterfallOf } from './run-model';

/**
 * One row per step, a bar per attempt's wait in the queue (hatched) and per run (solid), on
 * one time axis from the workflow's first event. A fan-out step's sub-steps have a row each
 * beneath it.
 */
export function Waterfall({
  state,
  events,
  now,
  onSelect,
}: {
  state: WorkflowState;
  events: WorkflowEvent[];
  now: number;
  onSelect: (stepId: string) => void;
}) {
  const segments = waterfallOf(events);
  if (segments.length === 0) return <p class="muted">No step has been queued yet.</p>;
  const start = Math.min(...segments.map((segment) => segment.start));
  const end = Math.max(start + 1, ...segments.map((segment) => segment.end ?? now));
  const span = end - start;
  const depths = depthsOf(state.steps);
  const steps = [...state.steps].sort((a, b) => (depths.get(a.stepId) ?? 0) - (depths.get(b.stepId) ?? 0));
  const rows = steps.flatMap((step) => [
    { key: step.stepId, stepId: step.stepId, isSubStep: false },
    ...(step.subSteps ?? []).map((sub) => ({
      key: subStepKey(step.stepId, sub.item),
      stepId: step.stepId,
      isSubStep: true,
    })),
  ]);
  return (
    <div class="waterfall" data-testid="waterfall">
      <div class="waterfall-axis" aria-hidden="true">
        <span>0 s</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      <ul class="waterfall-rows">
        {rows.map((row) => (
          <li key={row.key} class={`waterfall-row${row.isSubStep ? ' waterfall-sub-step' : ''}`}>
            <span class="waterfall-label">{row.key}</span>
            <span class="waterfall-track">
              {segments
                .filter((segment) => segment.stepId === row.key)
                .map((segment, index) => {
                  const left = ((segment.start - start) / span) * 100;
                  const width = Math.max(0.5, (((segment.end ?? now) - segment.start) / span) * 100);
                  const duration = formatDuration((segment.end ?? now) - segment.start);
                  const outcome = segment.outcome
                    ? `, ${segment.outcome.toLowerCase()}`
                    : segment.end
                      ? ''
                      : ', ongoing';
                  const label = `${row.key} attempt ${segment.attempt} ${segment.kind} ${duration}${outcome}`;
                  return (
                    <button
                      type="button"
                      key={index}
                      class={`bar bar-${segment.kind}${segment.outcome ? ` bar-${segment.outcome.toLowerCase()}` : ''}`}
                      style={{ left: `${left}%`, width: `${width}%` }}
                      title={label}
                      aria-label={label}
                      data-testid={`bar-${row.key}-${segment.attempt}-${segment.kind}`}
                      onClick={() => onSelect(row.stepId)}
                    />
                  );
                })}
            </span>
          </li>
        ))}
      </ul>
      <p class="legend">
        <span class="legend-item">
          <span class="swatch bar-queued" aria-hidden="true" /> waiting: in the queue, for a person, or paused
        </span>
        <span class="legend-item">
          <span class="swatch bar-running" aria-hidden="true" /> running
        </span>
        <span class="legend-item">
          <span class="swatch bar-running bar-completed" aria-hidden="true" /> ran, completed
        </span>
        <span class="legend-item">
          <span class="swatch bar-running bar-retrying" aria-hidden="true" /> failed, retried
        </span>
        <span class="legend-item">
          <span class="swatch bar-running bar-failed" aria-hidden="true" /> failed
        </span>
      </p>
    </div>
  );
}
