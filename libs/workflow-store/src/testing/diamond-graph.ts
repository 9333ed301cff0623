import { compileWorkflowGraph, pinWorkflowGraph } from '../workflow-graph';

/** a → (b ‖ c) → d, every step on the agent `echo` at major 1: the store specs' usual graph. */
export const DIAMOND_GRAPH = pinWorkflowGraph(
  compileWorkflowGraph(
    {
      type: 'DIAMOND',
      description: '',
      steps: [
        { id: 'a', agent: 'echo', dependsOn: [] },
        { id: 'b', agent: 'echo', dependsOn: ['a'] },
        { id: 'c', agent: 'echo', dependsOn: ['a'] },
        { id: 'd', agent: 'echo', dependsOn: ['b', 'c'] },
      ],
    },
    () => null,
  ),
  () => 1,
);
