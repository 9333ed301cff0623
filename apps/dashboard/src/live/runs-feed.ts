import type { WorkflowSummary } from '../api/types';
import type { LiveConnection } from './live-connection';

/**
 * `runs.watch`: a `run` event with a workflow's summary whenever one the caller may see starts,
 * changes status or ends. Watched again after a reconnect, when `onReconnect` lets the view
 * reload what it may have missed.
 */
export function watchRuns(
  live: LiveConnection,
  options: { tenantId?: string; onRun: (summary: WorkflowSummary) => void; onReconnect: () => void },
): () => void {
  const watch = () => live.request('runs.watch', options.tenantId ? { tenantId: options.tenantId } : {});
  const stopRun = live.on('run', (payload) => options.onRun(payload as WorkflowSummary));
  const stopConnect = live.onConnect((isReconnect) => {
    void watch();
    if (isReconnect) options.onReconnect();
  });
  if (live.isConnected) void watch();
  return () => {
    stopRun();
    stopConnect();
    void live.request('runs.unwatch', {});
  };
}
