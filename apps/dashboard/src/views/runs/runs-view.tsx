import { useComputed } from '@preact/signals';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { WorkflowSummary } from '../../api/types';
import { WORKFLOW_STATUSES } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { Link } from '../../components/link';
import { Notice } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { VirtualList, type VirtualListHandle } from '../../components/virtual-list';
import { useListKeys } from '../../keyboard';
import { watchRuns } from '../../live/runs-feed';
import { location, navigate, setQuery } from '../../router';
import { isAdmin, live } from '../../session';
import { parseFilters, queryOf, RANGES, type RunFilters } from './run-filters';
import { RunsStore } from './runs.store';

const ROW_HEIGHT = 60;

export function RunsView() {
  const store = useMemo(() => new RunsStore(), []);
  const admin = isAdmin();
  const queryText = location.value.query.toString();
  const { filters, ignored } = useMemo(
    () => parseFilters(new URLSearchParams(queryText), admin),
    [queryText, admin],
  );
  const filterKey = queryOf(filters).toString();
  const list = useRef<VirtualListHandle | null>(null);
  const [isConfirming, setConfirming] = useState(false);

  useEffect(() => void store.loadDefinitions(), []);
  useEffect(() => void store.load(filters), [filterKey]);
  useEffect(
    () =>
      watchRuns(live, {
        tenantId: filters.tenantId,
        onRun: (summary) => store.receive(summary),
        onReconnect: () => void store.load(filters),
      }),
    [filterKey],
  );

  const items = store.items.value;
  const active = store.activeIndex.value;
  useEffect(() => list.current?.scrollToIndex(active), [active]);

  const focusActive = () =>
    window.requestAnimationFrame(() =>
      document
        .querySelector<HTMLElement>(`[data-list-row][data-index="${store.activeIndex.value}"]`)
        ?.focus(),
    );
  useListKeys({
    move(delta) {
      store.move(delta);
      focusActive();
    },
    open() {
      const item = store.items.value[store.activeIndex.value];
      if (item) navigate(`/runs/${item.workflowId}`);
    },
    toggle() {
      store.toggle(store.activeIndex.value);
    },
  });

  const update = (change: Partial<RunFilters>) => setQuery(queryOf({ ...filters, ...change }));
  const selectedCount = useComputed(() => store.selected.value.size).value;
  const typeOptions = useMemo(() => {
    const types = new Set(store.definitions.value.map((definition) => definition.type));
    if (filters.type) types.add(filters.type);
    return [...types].sort();
  }, [store.definitions.value, filters.type]);

  return (
    <section aria-labelledby="runs-title" class="runs-view">
      <div class="view-header">
        <h1 id="runs-title">Runs</h1>
        <Link to="/start" class="button primary">
          Start a workflow
        </Link>
      </div>
      {ignored.map((message) => (
        <Notice kind="warning" key={message} testId="ignored-filter">
          {message}
        </Notice>
      ))}
      <form
        class="filters"
        role="search"
        aria-label="Filter runs"
        onSubmit={(event) => event.preventDefault()}
      >
        <div class="field">
          <label for="filter-q">Search input or error</label>
          <SearchBox value={filters.q ?? ''} onChange={(q) => update({ q: q || undefined })} />
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={filters.status ?? ''}
            onChange={(event) =>
              update({ status: (event.currentTarget.value || undefined) as RunFilters['status'] })
            }
          >
            <option value="">Any status</option>
            {WORKFLOW_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-type">Type</label>
          <select
            id="filter-type"
            value={filters.type ?? ''}
            onChange={(event) => update({ type: event.currentTarget.value || undefined })}
          >
            <option value="">Any type</option>
            {typeOptions.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        {admin && (
          <div class="field">
            <label for="filter-tenant">Tenant</label>
            <TenantBox
              value={filters.tenantId ?? ''}
              onChange={(tenantId) => update({ tenantId: tenantId || undefined })}
            />
          </div>
        )}
        <div class="field">
          <label for="filter-range">Started</label>
          <select
            id="filter-range"
            value={filters.range ?? (filters.from || filters.to ? 'custom' : '')}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (value === 'custom')
                update({ range: undefined, from: new Date(Date.now() - 86_400_000).toISOString() });
              else update({ range: value || undefined, from: undefined, to: undefined });
            }}
          >
            <option value="">Any time</option>
            {RANGES.map((range) => (
              <option key={range.value} value={range.value}>
                {range.label}
              </option>
            ))}
            <option value="custom">Between…</option>
          </select>
        </div>
        {!filters.range && (filters.from || filters.to) && (
          <>
            <div class="field">
              <label for="filter-from">From</label>
              <input
                id="filter-from"
                type="datetime-local"
                value={localInput(filters.from)}
                onChange={(event) => update({ from: fromLocalInput(event.currentTarget.value) })}
              />
            </div>
            <div class="field">
              <label for="filter-to">To</label>
              <input
                id="filter-to"
                type="datetime-local"
                value={localInput(filters.to)}
                onChange={(event) => update({ to: fromLocalInput(event.currentTarget.value) })}
              />
            </div>
          </>
        )}
        {filterKey && (
          <button type="button" class="ghost" onClick={() => setQuery(new URLSearchParams())}>
            Clear filters
          </button>
        )}
      </form>

      <div class="bulk-bar" aria-live="polite">
        <span data-testid="selection-count">
          {selectedCount > 0
            ? `${selectedCount} selected`
            : `${items.length}${store.hasMore.value ? '+' : ''} runs`}
        </span>
        {selectedCount > 0 && (
          <>
            <button
              type="button"
              class="danger"
              disabled={store.isCancelling.value}
              onClick={() => setConfirming(true)}
            >
              {store.isCancelling.value ? 'Cancelling…' : 'Cancel selected'}
            </button>
            <button type="button" class="ghost" onClick={() => store.clearSelection()}>
              Clear selection
            </button>
          </>
        )}
      </div>
      {store.bulkResult.value && <BulkResult store={store} />}
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}

      {items.length === 0 && !store.isLoading.value && !store.error.value ? (
        <p class="empty" data-testid="runs-empty">
          No runs match these filters.
        </p>
      ) : (
        <VirtualList
          count={items.length}
          rowHeight={ROW_HEIGHT}
          label="Runs, newest first"
          testId="runs-list"
          role="grid"
          handle={list}
          onEndReached={() => void store.loadMore()}
          renderRow={(index) => (
            <RunRow store={store} item={items[index]} index={index} isActive={index === active} />
          )}
        />
      )}
      {store.isLoading.value && <p role="status">Loading runs…</p>}
      <ConfirmDialog
        title="Cancel the selected runs?"
        isOpen={isConfirming}
        confirmLabel={`Cancel ${selectedCount} runs`}
        isDanger
        onConfirm={() => void store.cancelSelected()}
        onClose={() => setConfirming(false)}
      >
        <p>
          {selectedCount} runs will be cancelled: their running steps are told to stop. Runs that have already
          finished are left as they are.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function RunRow({
  store,
  item,
  index,
  isActive,
}: {
  store: RunsStore;
  item: WorkflowSummary;
  index: number;
  isActive: boolean;
}) {
  const active = store.activeIndex.value;
  const isSelected = store.selected.value.has(item.workflowId);
  const steps = item.totalSteps !== undefined ? `${item.completedSteps ?? 0}/${item.totalSteps} steps` : null;
  return (
    <div
      class={`run-row${isActive ? ' active' : ''}${isSelected ? ' selected' : ''}`}
      data-testid="run-row"
      data-run-id={item.workflowId}
      data-status={item.status}
      data-list-row
      data-index={index}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={isActive}
      tabIndex={isActive || (active < 0 && index === 0) ? 0 : -1}
      onFocus={() => {
        if (store.activeIndex.value !== index) store.activeIndex.value = index;
      }}
      onClick={(event) => {
        store.activeIndex.value = index;
        if (event.shiftKey && !(event.target instanceof HTMLInputElement)) store.toggle(index, true);
      }}
    >
      <div role="gridcell" class="row-check">
        <input
          type="checkbox"
          aria-label={`Select run ${item.workflowId.slice(0, 8)}`}
          checked={isSelected}
          tabIndex={-1}
          onClick={(event) => {
            event.preventDefault();
            store.toggle(index, event.shiftKey);
          }}
        />
      </div>
      <div class="run-main" role="gridcell">
        <StatusBadge status={item.status} />
        <Link to={`/runs/${item.workflowId}`} class="run-link" tabIndex={isActive ? 0 : -1}>
          {item.type} <span class="mono">{item.workflowId.slice(0, 8)}</span>
        </Link>
      </div>
      <div class="run-meta" role="gridcell">
        <time dateTime={item.createdAt}>{formatTime(item.createdAt)}</time>
        {steps && <span>{steps}</span>}
        {item.tenantId && isAdmin() && (
          <span class="run-tenant" title={`tenant ${item.tenantId}`}>
            tenant {item.tenantId}
          </span>
        )}
        {item.error && (
          <span class="run-error" title={item.error}>
            {item.error}
          </span>
        )}
      </div>
    </div>
  );
}

function BulkResult({ store }: { store: RunsStore }) {
  const result = store.bulkResult.value;
  if (!result) return null;
  return (
    <Notice kind={result.failed.length ? 'warning' : 'success'} testId="bulk-result">
      {result.cancelled} cancelled, {result.alreadyFinished} already finished
      {result.failed.length > 0 && `, ${result.failed.length} failed: ${result.failed.join('; ')}`}.{' '}
      <button type="button" class="link-button" onClick={() => (store.bulkResult.value = null)}>
        Dismiss
      </button>
    </Notice>
  );
}

/** A text box that reports its value a moment after typing stops. */
function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => onChange(text.trim()), 350);
    return () => window.clearTimeout(timer);
  }, [text]);
  return (
    <input
      id="filter-q"
      type="search"
      data-search
      maxLength={200}
      placeholder="Press / to search"
      value={text}
      onInput={(event) => setText(event.currentTarget.value)}
    />
  );
}

function TenantBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      id="filter-tenant"
      type="text"
      placeholder="Every tenant"
      value={text}
      onInput={(event) => setText(event.currentTarget.value)}
      onChange={() => onChange(text.trim())}
    />
  );
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function localInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}
