import { StepDefinition, WorkflowDefinition } from '@app/contracts';
import { InvalidRevisionLoopError, compileWorkflowGraph } from './workflow-graph';

const known = () => null;
const define = (steps: StepDefinition[]): WorkflowDefinition => ({ type: 'T', description: '', steps });
const step = (id: string, ...dependsOn: string[]): StepDefinition => ({ id, agent: id, dependsOn });
const audit = (target: string, maxIterations = 3, ...dependsOn: string[]): StepDefinition => ({
  ...step('audit', ...dependsOn),
  revise: { step: target, maxIterations },
});
const compile = (steps: StepDefinition[]) => compileWorkflowGraph(define(steps), known);

describe('quality loops (revise) in a workflow graph', () => {
  it('compiles the steps run again: the target and every step between it and the checker', () => {
    const graph = compile([
      step('plan'),
      step('content', 'plan'),
      step('design', 'plan'),
      step('builder', 'content', 'design'),
      step('polish', 'builder'),
      audit('content', 3, 'polish'),
      step('deploy', 'audit'),
    ]);
    expect(graph.revisions).toEqual({
      audit: { step: 'content', maxIterations: 3, steps: ['content', 'builder', 'polish'] },
    });
  });

  it('leaves graphs without loops as they were (their id hashes their JSON)', () => {
    expect(compile([step('a'), step('b', 'a')])).not.toHaveProperty('revisions');
  });

  it.each<[string, StepDefinition[], string]>([
    [
      'a step that is not an ancestor',
      [step('builder'), step('other'), audit('other', 3, 'builder')],
      'revises step "other", which is not one of its ancestors',
    ],
    [
      'itself',
      [step('builder'), audit('audit', 3, 'builder')],
      'revises step "audit", which is not one of its ancestors',
    ],
    [
      '0 iterations',
      [step('builder'), audit('builder', 0, 'builder')],
      'revise.maxIterations must be a whole number from 1 to 10',
    ],
    [
      '11 iterations',
      [step('builder'), audit('builder', 11, 'builder')],
      'revise.maxIterations must be a whole number from 1 to 10',
    ],
    ['2.5 iterations', [step('builder'), audit('builder', 2.5, 'builder')], 'from 1 to 10'],
    [
      'a step beside the loop reading the target',
      [step('builder'), step('preview', 'builder'), audit('builder', 3, 'builder')],
      'step "preview" reads its work without waiting for "audit"',
    ],
    [
      'an approval step in the loop',
      [
        step('builder'),
        { id: 'approve', approval: { onTimeout: 'fail' as const }, dependsOn: ['builder'] },
        audit('builder', 3, 'approve'),
      ],
      'approval step "approve" is in the loop',
    ],
    [
      'a fan-out step in the loop',
      [
        step('builder'),
        { ...step('pages', 'builder'), forEach: { from: 'builder' } },
        audit('builder', 3, 'pages'),
      ],
      'fan-out step "pages" is in the loop',
    ],
    [
      'an approval step that checks',
      [
        step('builder'),
        {
          id: 'audit',
          approval: { onTimeout: 'fail' as const },
          dependsOn: ['builder'],
          revise: { step: 'builder', maxIterations: 2 },
        },
      ],
      'is an approval step',
    ],
    [
      'a fan-out step that checks',
      [step('builder'), { ...audit('builder', 2, 'builder'), forEach: { from: 'builder' } }],
      'fans out (forEach)',
    ],
  ])('refuses a loop back to %s, saying why', (_, steps, message) => {
    expect(() => compile(steps)).toThrow(InvalidRevisionLoopError);
    expect(() => compile(steps)).toThrow(message);
  });

  it('accepts steps after the checker that read the target too', () => {
    const graph = compile([
      step('builder'),
      audit('builder', 2, 'builder'),
      step('deploy', 'builder', 'audit'),
    ]);
    expect(graph.revisions?.audit.steps).toEqual(['builder']);
  });
});
