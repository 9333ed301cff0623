import { signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { describeError } from '../../api/api-error';
import type { QueueStatus } from '../../api/types';
import { COUNTED_JOB_STATES } from '../../api/types';
import { Notice } from '../../components/notice';
import { api } from '../../session';
import { CellLabel, TableScroll } from '../../components/table-scroll';

/** The system's queues (admins): job counts per state, pause and resume. */
class QueuesStore {
  readonly queues = signal<QueueStatus[] | null>(null);
  readonly error = signal<string | null>(null);
  readonly busy = signal<string | null>(null);

  async load(): Promise<void> {
    try {
      this.queues.value = await api.queues();
      this.error.value = null;
    } catch (error) {
      this.error.value = describeError(error);
    }
  }

  /**
   * Bull Board, in a new tab. The tab is opened at the click (after a request it would count as
   * a pop-up) and sent to the board once the session's cookie is set.
   */
  async openBoard(): Promise<void> {
    const tab = window.open('about:blank', '_blank');
    try {
      const { url } = await api.openQueueBoard();
      if (tab) {
        tab.opener = null;
        tab.location.href = url;
      } else window.location.assign(url);
    } catch (error) {
      tab?.close();
      this.error.value = `Bull Board: ${describeError(error)}`;
    }
  }

  async toggle(queue: QueueStatus): Promise<void> {
    this.busy.value = queue.name;
    try {
      const next = queue.isPaused ? await api.resumeQueue(queue.name) : await api.pauseQueue(queue.name);
      this.queues.value = (this.queues.value ?? []).map((one) => (one.name === next.name ? next : one));
      this.error.value = null;
    } catch (error) {
      this.error.value = `${queue.name}: ${describeError(error)}`;
    } finally {
      this.busy.value = null;
    }
  }
}

export function QueuesView() {
  const store = useMemo(() => new QueuesStore(), []);
  useEffect(() => {
    void store.load();
    const timer = window.setInterval(() => void store.load(), 5000);
    return () => window.clearInterval(timer);
  }, []);
  const queues = store.queues.value;
  return (
    <section aria-labelledby="queues-title">
      <div class="view-header">
        <h1 id="queues-title">Queues</h1>
        <div class="actions">
          <button type="button" onClick={() => void store.openBoard()}>
            Open Bull Board
          </button>
          <button type="button" onClick={() => void store.load()}>
            Refresh
          </button>
        </div>
      </div>
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}
      {!queues && !store.error.value && <p role="status">Loading queues…</p>}
      {queues && (
        <TableScroll label="Queues" stacksOnPhone>
          <table class="table" data-testid="queues-table">
            <caption class="visually-hidden">
              Queues with their job counts (refreshed every 5 seconds)
            </caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">State</th>
                {COUNTED_JOB_STATES.map((state) => (
                  <th scope="col" key={state} class="number">
                    {state}
                  </th>
                ))}
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.map((queue) => (
                <tr key={queue.name} data-testid="queue-row" data-queue={queue.name}>
                  <th scope="row" class="mono">
                    {queue.name}
                    {queue.partitions > 1 && <span class="small block">{queue.partitions} partitions</span>}
                  </th>
                  <td>
                    <CellLabel>State</CellLabel>
                    <span class={`badge ${queue.isPaused ? 'status-cancelled' : 'status-completed'}`}>
                      {queue.isPaused ? '❚❚ Paused' : '▶ Running'}
                    </span>
                  </td>
                  {COUNTED_JOB_STATES.map((state) => (
                    <td key={state} class="number">
                      <CellLabel>{state}</CellLabel>
                      {queue.counts[state] ?? 0}
                    </td>
                  ))}
                  <td>
                    <button
                      type="button"
                      data-nav-item
                      disabled={store.busy.value === queue.name}
                      aria-label={`${queue.isPaused ? 'Resume' : 'Pause'} ${queue.name}`}
                      onClick={() => void store.toggle(queue)}
                    >
                      {queue.isPaused ? 'Resume' : 'Pause'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
