import { compileWorkflowGraph, pinWorkflowGraph } from '../workflow-graph';

/** plan → (approve ‖ side) → build: an approval step with a step beside it, for the store specs. */
export const APPROVAL_GRAPH = pinWorkflowGraph(
  compileWorkflowGraph(
    {
      type: 'APPROVED',
      description: '',
      steps: [
        { id: 'plan', agent: 'echo', dependsOn: [] },
        { id: 'approve', approval: { deadlineSeconds: 60, onTimeout: 'fail' }, dependsOn: ['plan'] },
        { id: 'side', agent: 'echo', dependsOn: ['plan'] },
        { id: 'build', agent: 'echo', dependsOn: ['approve', 'side'] },
      ],
    },
    () => null,
  ),
  () => 1,
);
