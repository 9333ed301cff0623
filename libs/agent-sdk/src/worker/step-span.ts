import { Span, SpanKind } from '@opentelemetry/api';
import { ExecuteStepJob } from '@app/contracts';
import { StepExecution, contextOfTraceParent } from '@app/workflow-store';
import { inSpan } from '../spans';

/**
 * Runs one attempt of a step in an `invoke_agent` span (OpenTelemetry's GenAI conventions for
 * agents), a child of the span that started its workflow, whose `traceparent` the store keeps in
 * the workflow's meta: so every step joins the workflow's one trace, whichever worker runs it and
 * however it got there (a queue job, eager dispatch, a retry's delayed job, recovery's re-queue).
 */
export function inStepSpan<T>(
  job: ExecuteStepJob,
  execution: StepExecution,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(
    `invoke_agent ${execution.agent}`,
    {
      kind: SpanKind.INTERNAL,
      parent: contextOfTraceParent(execution.meta.traceparent),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': execution.agent,
        'ao.workflow.id': job.workflowId,
        'ao.workflow.type': execution.meta.type,
        'ao.step.id': job.stepId,
        'ao.step.attempt': job.attempt,
      },
    },
    work,
  );
}
