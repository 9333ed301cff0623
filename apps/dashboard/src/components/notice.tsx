import type { ComponentChildren } from 'preact';

/** An error, warning or note inside a view. */
export function Notice({
  kind,
  children,
  testId,
}: {
  kind: 'error' | 'warning' | 'info' | 'success';
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {children}
    </div>
  );
}
