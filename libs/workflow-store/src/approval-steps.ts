import { ApprovalPolicy, StepDefinition } from '@app/contracts';

/** The agent name an approval step shows in its state and events; no worker may serve it. */
export const APPROVAL_AGENT = 'approval';

/** What a READY approval step's `waitingFor` says while it waits for a decision. */
export const APPROVAL_WAITING_REASON = 'approval';

/** The longest deadline an approval step may set: 30 days. */
export const MAX_APPROVAL_DEADLINE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Why a step's approval policy cannot be used, or null. Approval steps have no agent, and need a
 * step before them: a workflow is created with its roots queued to workers.
 */
export function approvalProblem(step: StepDefinition): string | null {
  const { approval } = step;
  if (!approval) return step.agent === APPROVAL_AGENT ? `agent name "${APPROVAL_AGENT}" is reserved` : null;
  if (step.agent !== undefined) return 'has both an agent and an approval; an approval step runs no agent';
  if (step.dependsOn.length === 0) return 'is an approval step with no step before it';
  if (approval.onTimeout !== 'fail' && approval.onTimeout !== 'default')
    return 'approval.onTimeout must be "fail" or "default"';
  const seconds = approval.deadlineSeconds;
  if (
    seconds !== undefined &&
    (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_APPROVAL_DEADLINE_SECONDS)
  )
    return `approval.deadlineSeconds must be an integer from 1 to ${MAX_APPROVAL_DEADLINE_SECONDS}`;
  if (approval.default !== undefined && approval.onTimeout !== 'default')
    return 'approval.default is only used with onTimeout "default"';
  return null;
}

/** The policy as the graph keeps it: only what the definition set. */
export function approvalOf(policy: ApprovalPolicy): ApprovalPolicy {
  return {
    onTimeout: policy.onTimeout,
    ...(policy.deadlineSeconds === undefined ? {} : { deadlineSeconds: policy.deadlineSeconds }),
    ...(policy.default === undefined ? {} : { default: policy.default }),
  };
}
