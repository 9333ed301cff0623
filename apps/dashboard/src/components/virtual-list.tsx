import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useClientSize } from './use-client-size';

/*
 * A windowed list with a fixed row height: only the rows in view (plus a few) are in the DOM,
 * so 10,000 rows cost what 30 do. Fixed heights make the window plain arithmetic; a measuring
 * library (@tanstack/virtual-core) would add size caching and remeasuring this list does not need.
 */

export interface VirtualListHandle {
  scrollToIndex(index: number): void;
}

interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ComponentChildren;
  /** Called when the last rows come into view: load the next page. */
  onEndReached?: () => void;
  label: string;
  handle?: RefObject<VirtualListHandle | null>;
  overscan?: number;
  testId?: string;
  /** `grid` when each row renders its own `role="row"` (rows with several controls). */
  role?: 'list' | 'grid';
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, renderRow, onEndReached, overscan = 8 } = props;
  const container = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  // Until measured, enough rows for a tall list.
  const viewport = useClientSize(container)?.height ?? 600;

  useEffect(() => {
    if (!props.handle) return;
    props.handle.current = {
      scrollToIndex(index: number) {
        const element = container.current;
        if (!element) return;
        const top = index * rowHeight;
        if (top < element.scrollTop) element.scrollTop = top;
        else if (top + rowHeight > element.scrollTop + element.clientHeight)
          element.scrollTop = top + rowHeight - element.clientHeight;
      },
    };
  });

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);

  useEffect(() => {
    if (onEndReached && count > 0 && last >= count - overscan) onEndReached();
  }, [last, count]);

  const rows = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div
        key={index}
        class="virtual-row"
        role={props.role === 'grid' ? 'none' : 'listitem'}
        aria-setsize={props.role === 'grid' ? undefined : count}
        aria-posinset={props.role === 'grid' ? undefined : index + 1}
        style={{ transform: `translateY(${index * rowHeight}px)`, height: `${rowHeight}px` }}
      >
        {renderRow(index)}
      </div>,
    );
  }
  return (
    <div
      ref={container}
      class="virtual-list"
      // Focusable, so a keyboard can scroll it when its rows hold nothing focusable (log lines).
      tabIndex={0}
      role={props.role ?? 'list'}
      aria-label={props.label}
      aria-rowcount={props.role === 'grid' ? count : undefined}
      data-testid={props.testId}
      onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div class="virtual-spacer" role="none" style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
