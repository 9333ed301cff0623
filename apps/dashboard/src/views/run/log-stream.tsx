import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LogEntry, LogLevel, WorkflowEvent } from '../../api/types';
import { LOG_LEVELS } from '../../api/types';
import { VirtualList, type VirtualListHandle } from '../../components/virtual-list';
import type { RunStore } from './run.store';

interface LogLine {
  key: string;
  timestamp: string;
  level: LogLevel;
  source: string | null;
  message: string;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/**
 * The workflow's log: the lines stored in PostgreSQL, then the live `log` events (the same line
 * from both, known by its id, is shown once), filtered by lowest level and by text. A line keeps
 * one row (the list is virtual), so a long one is cut at the row's end; clicking or tapping it
 * shows it whole below the list (a phone has no hover to show the row's title).
 */
export function LogStream({
  store,
  stored,
  events,
}: {
  store: RunStore;
  stored: LogEntry[];
  events: WorkflowEvent[];
}) {
  const level = store.logLevel.value;
  const search = store.logSearch.value.trim().toLowerCase();
  const [isFollowing, setFollowing] = useState(true);
  const [openKey, setOpenKey] = useState<string | null>(null);
  const list = useRef<VirtualListHandle | null>(null);
  const detail = useRef<HTMLDivElement>(null);

  const lines = useMemo(() => {
    // A live line carries the id of its stored copy: each line is shown once.
    const seen = new Set<string>();
    const all: LogLine[] = [];
    const add = (line: LogLine) => {
      if (seen.has(line.key)) return;
      seen.add(line.key);
      all.push(line);
    };
    for (const entry of stored)
      add({
        key: entry.id,
        timestamp: entry.timestamp,
        level: entry.level,
        source: entry.agent,
        message: entry.message,
      });
    for (const event of events)
      if (event.type === 'log')
        add({
          key: event.logId ?? `event-${event.eventId}`,
          timestamp: event.timestamp,
          level: event.level,
          source: event.stepId ?? event.agent,
          message: event.message,
        });
    return all.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }, [stored, events]);

  const shown = useMemo(
    () =>
      lines.filter(
        (line) =>
          (!level || LEVEL_RANK[line.level] >= LEVEL_RANK[level]) &&
          (!search ||
            line.message.toLowerCase().includes(search) ||
            (line.source ?? '').toLowerCase().includes(search)),
      ),
    [lines, level, search],
  );

  useEffect(() => {
    if (isFollowing && shown.length) list.current?.scrollToIndex(shown.length - 1);
  }, [shown.length, isFollowing]);

  const opened = openKey === null ? undefined : lines.find((line) => line.key === openKey);
  useEffect(() => {
    if (opened) detail.current?.scrollIntoView({ block: 'nearest' });
  }, [opened?.key]);

  return (
    <section aria-labelledby="logs-title" class="panel logs" data-testid="log-stream">
      <header class="view-header">
        <h2 id="logs-title">Log</h2>
        <div class="filters compact">
          <div class="field">
            <label for="log-level">Lowest level</label>
            <select
              id="log-level"
              value={level}
              onChange={(event) => (store.logLevel.value = event.currentTarget.value as LogLevel | '')}
            >
              <option value="">All</option>
              {LOG_LEVELS.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {candidate}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="log-search">Search the log</label>
            <input
              id="log-search"
              type="search"
              data-search
              value={store.logSearch.value}
              onInput={(event) => (store.logSearch.value = event.currentTarget.value)}
            />
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={isFollowing}
              onChange={(event) => setFollowing(event.currentTarget.checked)}
            />
            Follow
          </label>
        </div>
      </header>
      {store.feed.logsError.value && (
        <p class="muted">Stored log unavailable: {store.feed.logsError.value}</p>
      )}
      <p class="muted" aria-live="polite">
        {shown.length} of {lines.length} lines
      </p>
      {shown.length > 0 && (
        <VirtualList
          count={shown.length}
          rowHeight={26}
          label="Log lines"
          testId="log-lines"
          handle={list}
          renderRow={(index) => {
            const line = shown[index];
            const isOpen = line.key === openKey;
            return (
              <button
                type="button"
                class={`log-line level-${line.level}${isOpen ? ' open' : ''}`}
                title={line.message}
                aria-expanded={isOpen}
                aria-controls={isOpen ? 'log-line-whole' : undefined}
                onClick={() => setOpenKey(isOpen ? null : line.key)}
                data-testid="log-line"
              >
                <time dateTime={line.timestamp}>
                  {line.timestamp.slice(11, 19)}
                  <span class="log-ms">{line.timestamp.slice(19, 23)}</span>
                </time>
                <span class="log-level">{line.level}</span>
                {line.source && <span class="log-source">{line.source}</span>}
                <span class="log-message">{line.message}</span>
              </button>
            );
          }}
        />
      )}
      {opened && (
        <div
          class={`log-whole level-${opened.level}`}
          id="log-line-whole"
          role="region"
          aria-label="Log line"
          ref={detail}
          data-testid="log-line-whole"
        >
          <div class="log-whole-header">
            <time dateTime={opened.timestamp}>{opened.timestamp}</time>
            <span class="log-level">{opened.level}</span>
            {opened.source && <span class="log-source">{opened.source}</span>}
            <button type="button" class="ghost" onClick={() => setOpenKey(null)}>
              Close
            </button>
          </div>
          <p class="log-whole-message">{opened.message}</p>
        </div>
      )}
    </section>
  );
}
