import { useEffect, useMemo } from 'preact/hooks';
import type { StepRunFigures } from '../../api/types';
import { Link } from '../../components/link';
import { Notice } from '../../components/notice';
import { formatDuration } from '../run/run-model';
import { DiffStore } from './diff.store';
import { TableScroll } from '../../components/table-scroll';

const durationOf = (figures: StepRunFigures | null) =>
  figures === null ? '—' : figures.isReused ? 'reused' : formatDuration(figures.durationMs);

/** Two workflows side by side, step by step: output changed or not, durations, tokens, reuse. */
export function DiffView({ workflowId, otherId }: { workflowId: string; otherId: string }) {
  const store = useMemo(() => new DiffStore(workflowId, otherId), [workflowId, otherId]);
  useEffect(() => void store.load(), [store]);
  const diff = store.diff.value;
  return (
    <section class="panel" aria-labelledby="diff-title" data-testid="diff-view">
      <h1 id="diff-title">Compare runs</h1>
      <p>
        <Link to={`/runs/${workflowId}`}>
          <span class="mono small">{workflowId}</span>
        </Link>{' '}
        against{' '}
        <Link to={`/runs/${otherId}`}>
          <span class="mono small">{otherId}</span>
        </Link>
      </p>
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}
      {!diff && !store.error.value && <p role="status">Comparing…</p>}
      {diff && (
        <TableScroll label="Step by step">
          <table class="table" data-testid="diff-table">
            <caption class="visually-hidden">The two runs, step by step</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Output</th>
                <th scope="col">Duration</th>
                <th scope="col">Other’s duration</th>
                <th scope="col">Tokens</th>
                <th scope="col">Other’s tokens</th>
              </tr>
            </thead>
            <tbody>
              {diff.steps.map((step) => (
                <tr key={step.stepId} data-testid={`diff-${step.stepId}`}>
                  <th scope="row" class="mono">
                    {step.stepId}
                  </th>
                  <td data-testid="output-change">
                    {step.isOutputChanged === null ? 'unknown' : step.isOutputChanged ? 'changed' : 'same'}
                  </td>
                  <td>{durationOf(step.workflow)}</td>
                  <td>{durationOf(step.other)}</td>
                  <td>{step.workflow?.llmTokens ?? '—'}</td>
                  <td>{step.other?.llmTokens ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
