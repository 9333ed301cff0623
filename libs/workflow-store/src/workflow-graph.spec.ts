import { WorkflowDefinition } from '@app/contracts';
import { compileWorkflowGraph } from './workflow-graph';

const known = (agent: string) => ['a', 'b', 'c', 'd'].includes(agent);
const define = (steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
  type: 'T',
  description: '',
  steps,
});

describe('compileWorkflowGraph', () => {
  it('orders a diamond topologically and finds its sink', () => {
    const graph = compileWorkflowGraph(
      define([
        { id: 'd', agent: 'd', dependsOn: ['b', 'c'] },
        { id: 'b', agent: 'b', dependsOn: ['a'] },
        { id: 'c', agent: 'c', dependsOn: ['a'] },
        { id: 'a', agent: 'a', dependsOn: [] },
      ]),
      known,
    );
    expect(graph.order.indexOf('a')).toBeLessThan(graph.order.indexOf('b'));
    expect(graph.order.indexOf('c')).toBeLessThan(graph.order.indexOf('d'));
    expect(graph.sinks).toEqual(['d']);
    expect(graph.successors).toEqual({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] });
    expect(graph.ancestors.d.sort()).toEqual(['a', 'b', 'c']);
    expect(graph.ancestors.b).toEqual(['a']);
    expect(graph.ancestors.a).toEqual([]);
  });

  it('rejects an unknown agent', () => {
    expect(() => compileWorkflowGraph(define([{ id: 'x', agent: 'nope', dependsOn: [] }]), known)).toThrow(
      'workflow T: step "x" uses unknown agent "nope"',
    );
  });

  it('rejects a missing dependency', () => {
    expect(() =>
      compileWorkflowGraph(define([{ id: 'a', agent: 'a', dependsOn: ['ghost'] }]), known),
    ).toThrow('step "a" depends on missing step "ghost"');
  });

  it('rejects a cycle and names it', () => {
    expect(() =>
      compileWorkflowGraph(
        define([
          { id: 'a', agent: 'a', dependsOn: ['c'] },
          { id: 'b', agent: 'b', dependsOn: ['a'] },
          { id: 'c', agent: 'c', dependsOn: ['b'] },
        ]),
        known,
      ),
    ).toThrow('workflow T has a cycle: a → c → b → a');
  });

  it('rejects duplicate step ids and empty workflows', () => {
    expect(() => compileWorkflowGraph(define([]), known)).toThrow('has no steps');
    expect(() =>
      compileWorkflowGraph(
        define([
          { id: 'a', agent: 'a', dependsOn: [] },
          { id: 'a', agent: 'b', dependsOn: [] },
        ]),
        known,
      ),
    ).toThrow('step "a" is defined twice');
  });
});
