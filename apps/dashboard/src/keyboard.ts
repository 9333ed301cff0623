import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

/** What j, k, Enter and x do in the list on screen. */
export interface ListKeys {
  move(delta: 1 | -1): void;
  open(): void;
  toggle(): void;
}

export const isHelpOpen = signal(false);

export const SHORTCUTS: [string, string][] = [
  ['/', 'Focus the search box'],
  ['j / k', 'Move to the next / previous row of a list'],
  ['Enter', 'Open the row'],
  ['x', 'Select or unselect the row (runs)'],
  ['Shift + click', 'Select a range of runs'],
  ['?', 'Show this help'],
  ['Escape', 'Close a dialog, or leave the search box'],
];

let activeList: ListKeys | null = null;

/** Lets a view's list take j, k, Enter and x while it is on screen. */
export function useListKeys(keys: ListKeys): void {
  useEffect(() => {
    activeList = keys;
    return () => {
      if (activeList === keys) activeList = null;
    };
  });
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return false;
}

/** Rows of a plain (not virtualized) list: focus moves between them. */
function moveFocus(delta: 1 | -1): void {
  const items = [...document.querySelectorAll<HTMLElement>('main [data-nav-item]')];
  if (items.length === 0) return;
  const index = items.findIndex(
    (item) => item === document.activeElement || item.contains(document.activeElement),
  );
  const next = items[Math.min(items.length - 1, Math.max(0, index === -1 ? 0 : index + delta))];
  next?.focus();
}

export function installKeyboard(): void {
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // Escape leaves the search box, so j and k move through the list again.
    if (
      event.key === 'Escape' &&
      event.target instanceof HTMLElement &&
      event.target.matches('[data-search]')
    ) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
    switch (event.key) {
      case '/': {
        const search = document.querySelector<HTMLElement>('[data-search]');
        if (!search) return;
        event.preventDefault();
        search.focus();
        return;
      }
      case '?':
        event.preventDefault();
        isHelpOpen.value = true;
        return;
      case 'j':
      case 'k': {
        event.preventDefault();
        const delta = event.key === 'j' ? 1 : -1;
        if (activeList) activeList.move(delta);
        else moveFocus(delta);
        return;
      }
      case 'x':
        if (!activeList) return;
        event.preventDefault();
        activeList.toggle();
        return;
      case 'Enter':
        // Links and buttons act on Enter themselves; a focused list row opens.
        if (!activeList || !(event.target instanceof HTMLElement) || !event.target.matches('[data-list-row]'))
          return;
        event.preventDefault();
        activeList.open();
        return;
    }
  });
}
