import { batch, signal } from '@preact/signals';
import { ApiError, describeError } from '../../api/api-error';
import type { WorkflowDefinition, WorkflowSummary } from '../../api/types';
import { TERMINAL_STATUSES } from '../../api/types';
import { api } from '../../session';
import { listQueryOf, matchesFilters, type RunFilters } from './run-filters';

const PAGE_SIZE = 100;

export interface BulkCancelSummary {
  cancelled: number;
  alreadyFinished: number;
  failed: string[];
}

/**
 * The runs list: pages of `GET /workflows` for the filters of the URL, live `run` events merged
 * in, and the selection for bulk actions.
 */
export class RunsStore {
  readonly items = signal<WorkflowSummary[]>([]);
  readonly isLoading = signal(false);
  readonly hasMore = signal(false);
  readonly error = signal<string | null>(null);
  readonly selected = signal<ReadonlySet<string>>(new Set());
  /** The row the keyboard is on; -1 before j or k is first pressed. */
  readonly activeIndex = signal(-1);
  readonly bulkResult = signal<BulkCancelSummary | null>(null);
  readonly isCancelling = signal(false);
  readonly definitions = signal<WorkflowDefinition[]>([]);
  private filters: RunFilters = {};
  private cursor: string | null = null;
  private generation = 0;
  private anchor: number | null = null;

  async loadDefinitions(): Promise<void> {
    try {
      this.definitions.value = await api.definitions();
    } catch {
      // The type filter then offers only what the URL holds.
    }
  }

  /** Starts over with these filters. */
  async load(filters: RunFilters): Promise<void> {
    this.filters = filters;
    this.cursor = null;
    const generation = ++this.generation;
    batch(() => {
      this.items.value = [];
      this.hasMore.value = false;
      this.error.value = null;
      this.activeIndex.value = -1;
      this.selected.value = new Set();
      this.anchor = null;
    });
    await this.fetchPage(generation);
  }

  /** The next page, when there is one and none is loading. */
  async loadMore(): Promise<void> {
    if (!this.hasMore.value || this.isLoading.value) return;
    await this.fetchPage(this.generation);
  }

  private async fetchPage(generation: number): Promise<void> {
    this.isLoading.value = true;
    try {
      const page = await api.listWorkflows({
        ...listQueryOf(this.filters, Date.now()),
        cursor: this.cursor ?? undefined,
        limit: PAGE_SIZE,
      });
      if (generation !== this.generation) return;
      const known = new Set(this.items.value.map((item) => item.workflowId));
      batch(() => {
        this.items.value = [...this.items.value, ...page.items.filter((item) => !known.has(item.workflowId))];
        this.cursor = page.nextCursor;
        this.hasMore.value = page.nextCursor !== null;
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.error.value =
        error instanceof ApiError && error.status === 400
          ? `The server refused these filters: ${error.message}`
          : describeError(error);
    } finally {
      if (generation === this.generation) this.isLoading.value = false;
    }
  }

  /** A workflow pushed live: updated in place, or added at the top when it matches the filters. */
  receive(summary: WorkflowSummary): void {
    const items = this.items.value;
    const index = items.findIndex((item) => item.workflowId === summary.workflowId);
    if (index >= 0) {
      const next = items.slice();
      next[index] = { ...items[index], ...summary };
      this.items.value = next;
      return;
    }
    if (!matchesFilters(summary, this.filters, Date.now())) return;
    batch(() => {
      this.items.value = [summary, ...items];
      // Keep the keyboard on the row it was on.
      if (this.activeIndex.value > 0) this.activeIndex.value += 1;
    });
  }

  move(delta: 1 | -1): void {
    const count = this.items.value.length;
    if (count === 0) return;
    const from = this.activeIndex.value;
    this.activeIndex.value = from < 0 ? 0 : Math.min(count - 1, Math.max(0, from + delta));
  }

  /** Selects or unselects one row; with `isRange`, every row from the last one clicked. */
  toggle(index: number, isRange = false): void {
    const items = this.items.value;
    const item = items[index];
    if (!item) return;
    const next = new Set(this.selected.value);
    const shouldSelect = !next.has(item.workflowId);
    if (isRange && this.anchor !== null) {
      const [from, to] = [Math.min(this.anchor, index), Math.max(this.anchor, index)];
      for (let at = from; at <= to; at++) {
        const id = items[at]?.workflowId;
        if (!id) continue;
        if (shouldSelect) next.add(id);
        else next.delete(id);
      }
    } else if (shouldSelect) next.add(item.workflowId);
    else next.delete(item.workflowId);
    this.anchor = index;
    this.selected.value = next;
  }

  clearSelection(): void {
    this.selected.value = new Set();
    this.anchor = null;
  }

  /** Cancels every selected workflow, a few at a time, and sums up what happened. */
  async cancelSelected(): Promise<void> {
    const ids = [...this.selected.value];
    if (ids.length === 0) return;
    this.isCancelling.value = true;
    const summary: BulkCancelSummary = { cancelled: 0, alreadyFinished: 0, failed: [] };
    const byId = new Map(this.items.value.map((item) => [item.workflowId, item]));
    const queue = ids.slice();
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const known = byId.get(id);
        if (known && TERMINAL_STATUSES.includes(known.status)) {
          summary.alreadyFinished++;
          continue;
        }
        try {
          const state = await api.cancel(id);
          summary.cancelled++;
          if (known)
            this.receive({
              ...known,
              status: state.status,
              updatedAt: state.updatedAt,
              finishedAt: state.finishedAt,
            });
        } catch (error) {
          if (error instanceof ApiError && error.status === 409) summary.alreadyFinished++;
          else summary.failed.push(`${id.slice(0, 8)}: ${describeError(error)}`);
        }
      }
    };
    try {
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      batch(() => {
        this.isCancelling.value = false;
        this.bulkResult.value = summary;
        this.selected.value = new Set();
      });
    }
  }
}
