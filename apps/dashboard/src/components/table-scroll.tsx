import type { ComponentChildren } from 'preact';

/**
 * A table that scrolls sideways in place on a narrow screen. The region takes the focus, so a
 * keyboard can scroll it too (axe: scrollable-region-focusable), and is named for a screen reader.
 * With `stacksOnPhone`, each row becomes a card on a phone instead: its row header on top, then
 * every cell under its column's name (a `CellLabel`), so no figure is off the screen.
 */
export function TableScroll({
  label,
  stacksOnPhone = false,
  children,
}: {
  label: string;
  stacksOnPhone?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div
      class={`table-scroll${stacksOnPhone ? ' stacks' : ''}`}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      {children}
    </div>
  );
}

/** A cell's column name, shown in the cell only where its table stacks (a screen reader has the header). */
export function CellLabel({ children }: { children: ComponentChildren }) {
  return (
    <span class="cell-label" aria-hidden="true">
      {children}
    </span>
  );
}
