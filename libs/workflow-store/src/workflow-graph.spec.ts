import { WorkflowDefinition } from '@app/contracts';
import { compileWorkflowGraph, pinWorkflowGraph, stepQueueOf } from './workflow-graph';

const known = ({ name, major }: { name: string; major?: number }) =>
  ['a', 'b', 'c', 'd'].includes(name) && (major ?? 1) <= 2 ? null : 'which no worker has registered';
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

  it('rejects an unknown agent, or a version nobody registered, and a malformed version', () => {
    expect(() => compileWorkflowGraph(define([{ id: 'x', agent: 'nope', dependsOn: [] }]), known)).toThrow(
      'workflow T: step "x" uses agent "nope", which no worker has registered',
    );
    expect(() => compileWorkflowGraph(define([{ id: 'x', agent: 'a@3', dependsOn: [] }]), known)).toThrow(
      'step "x" uses agent "a@3", which no worker has registered',
    );
    expect(() => compileWorkflowGraph(define([{ id: 'x', agent: 'a@two', dependsOn: [] }]), known)).toThrow(
      'a version is a major number, as in planner@2',
    );
  });

  it('keeps the versions a definition names and pins the others when a workflow starts', () => {
    const graph = compileWorkflowGraph(
      define([
        { id: 'first', agent: 'a@2', dependsOn: [] },
        { id: 'second', agent: 'b', dependsOn: ['first'] },
      ]),
      known,
    );
    expect(graph.agents).toEqual({ first: 'a', second: 'b' });
    expect(graph.versions).toEqual({ first: 2 });
    const pinned = pinWorkflowGraph(graph, () => 7);
    expect(pinned.versions).toEqual({ first: 2, second: 7 });
    expect(stepQueueOf(pinned, 'first')).toBe('steps.a@2');
    expect(stepQueueOf(pinned, 'second')).toBe('steps.b@7');
    // The definition's own graph is left as it was, for the next workflow's pins.
    expect(graph.versions).toEqual({ first: 2 });
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

describe('fan-out steps (forEach)', () => {
  const fanOut = (forEach: { from: string; path?: string; maxItems?: number }, dependsOn = ['a']) =>
    define([
      { id: 'a', agent: 'a', dependsOn: [] },
      { id: 'b', agent: 'b', dependsOn, forEach },
    ]);

  it('records where the items come from and bounds them by the configured maximum', () => {
    expect(
      compileWorkflowGraph(fanOut({ from: 'a', path: 'site.pages', maxItems: 10 }), known, 50).fanOut,
    ).toEqual({
      b: { from: 'a', path: ['site', 'pages'], maxItems: 10 },
    });
    expect(compileWorkflowGraph(fanOut({ from: 'a' }), known, 50).fanOut).toEqual({
      b: { from: 'a', path: [], maxItems: 50 },
    });
    expect(
      stepQueueOf(
        pinWorkflowGraph(compileWorkflowGraph(fanOut({ from: 'a' }), known), () => 1),
        'b#7',
      ),
    ).toBe('steps.b@1');
  });

  it('leaves a graph without fan-out as it was, so its stored id does not change', () => {
    expect(compileWorkflowGraph(define([{ id: 'a', agent: 'a', dependsOn: [] }]), known)).not.toHaveProperty(
      'fanOut',
    );
  });

  it('rejects a fan-out on an approval step', () => {
    expect(() =>
      compileWorkflowGraph(
        define([
          { id: 'a', agent: 'a', dependsOn: [] },
          { id: 'b', approval: { onTimeout: 'fail' }, dependsOn: ['a'], forEach: { from: 'a' } },
        ]),
        known,
      ),
    ).toThrow('step "b" is an approval step, which cannot fan out (forEach)');
  });

  it('rejects items taken from a step it does not depend on, and a maximum above the configured one', () => {
    expect(() => compileWorkflowGraph(fanOut({ from: 'c' }), known)).toThrow(
      'step "b" takes its work items from "c", which is not one of its dependencies',
    );
    expect(() => compileWorkflowGraph(fanOut({ from: 'a', maxItems: 51 }), known, 50)).toThrow(
      'step "b" allows 51 work items; forEach.maxItems must be an integer from 1 to 50 (FAN_OUT_MAX_ITEMS)',
    );
  });
});
