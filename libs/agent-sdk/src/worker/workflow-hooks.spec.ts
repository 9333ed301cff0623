import { WorkflowHooks } from './workflow-hooks';

describe('WorkflowHooks', () => {
  it('calls every handler of an event with its payload, and not those of other events', async () => {
    const hooks = new WorkflowHooks();
    const seen: string[] = [];
    hooks.on('workflow.completed', ({ workflowId }) => void seen.push(`a:${workflowId}`));
    hooks.on('workflow.completed', async ({ workflowId }) => void seen.push(`b:${workflowId}`));
    hooks.on('workflow.failed', () => void seen.push('never'));
    await hooks.emit('workflow.completed', { workflowId: 'w1' });
    expect(seen).toEqual(['a:w1', 'b:w1']);
  });

  it('keeps going when a handler throws, and stops calling a removed handler', async () => {
    const hooks = new WorkflowHooks();
    const seen: string[] = [];
    hooks.on('workflow.started', () => {
      throw new Error('boom');
    });
    const remove = hooks.on('workflow.started', () => void seen.push('second'));
    await expect(hooks.emit('workflow.started', { workflowId: 'w' })).resolves.toBeUndefined();
    remove();
    await hooks.emit('workflow.started', { workflowId: 'w' });
    expect(seen).toEqual(['second']);
  });
});
