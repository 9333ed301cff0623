import type { ComponentChildren } from 'preact';

/**
 * A table that scrolls sideways in place on a narrow screen. The region takes the focus, so a
 * keyboard can scroll it too (axe: scrollable-region-focusable), and is named for a screen reader.
 */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
