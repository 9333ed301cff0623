import { signal } from '@preact/signals';

export type ThemeChoice = 'light' | 'dark' | 'system';

const STORAGE_KEY = 'dashboard.theme';

function stored(): ThemeChoice {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** The theme chosen with the toggle; `system` follows prefers-color-scheme. */
export const theme = signal<ThemeChoice>(stored());

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

/**
 * Keeps the choice and sets `data-theme` on the root to the theme in force, which the
 * stylesheet's variables follow: one set of dark colours, whichever way dark was chosen.
 */
export function applyTheme(choice: ThemeChoice): void {
  theme.value = choice;
  if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, choice);
  isDarkInForce.value = choice === 'system' ? systemDark.matches : choice === 'dark';
  document.documentElement.dataset.theme = isDarkInForce.value ? 'dark' : 'light';
}

// The system's theme can change while the page is open (an evening switch).
systemDark.addEventListener('change', () => {
  if (theme.value === 'system') applyTheme('system');
});

/** Whether the page is dark now, whichever way that was chosen (charts redraw when it changes). */
export const isDarkInForce = signal(false);
