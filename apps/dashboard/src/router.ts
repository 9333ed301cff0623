import { signal } from '@preact/signals';

/** Where the app is served; every route lives under it. */
export const BASE = '/dashboard';

export type Route =
  | { name: 'runs' }
  | { name: 'run'; workflowId: string }
  | { name: 'diff'; workflowId: string; otherId: string }
  | { name: 'start' }
  | { name: 'agents' }
  | { name: 'queues' }
  | { name: 'sites' }
  | { name: 'site'; siteId: string }
  | { name: 'keys' }
  | { name: 'signin' }
  | { name: 'not-found'; path: string };

interface Location {
  /** The path under BASE, starting with `/`. */
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const full = window.location.pathname;
  const path = full.startsWith(BASE) ? full.slice(BASE.length) || '/' : full;
  return { path, query: new URLSearchParams(window.location.search) };
}

export const location = signal<Location>(read());

window.addEventListener('popstate', () => {
  location.value = read();
});

/** Goes to a path under BASE (`/runs/…?…`), adding a history entry unless `replace`. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = BASE + (to.startsWith('/') ? to : `/${to}`);
  if (url === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  location.value = read();
  if (!options.replace) window.scrollTo(0, 0);
}

/** Replaces the query string of the current path (filters), without a new history entry. */
export function setQuery(query: URLSearchParams): void {
  const text = query.toString();
  navigate(`${location.value.path}${text ? `?${text}` : ''}`, { replace: true });
}

export function href(to: string): string {
  return BASE + to;
}

export function match(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, ...rest] = parts;
  // `/runs/:id/diff/:otherId`: two workflows compared.
  if (first === 'runs' && second && rest.length === 2 && rest[0] === 'diff')
    return { name: 'diff', workflowId: second, otherId: rest[1] };
  if (rest.length > 0) return { name: 'not-found', path };
  if (!first) return { name: 'runs' };
  if (first === 'runs' && second) return { name: 'run', workflowId: second };
  if (first === 'runs') return { name: 'runs' };
  if (first === 'sites' && second) return { name: 'site', siteId: second };
  if (second) return { name: 'not-found', path };
  switch (first) {
    case 'start':
    case 'agents':
    case 'queues':
    case 'sites':
    case 'keys':
    case 'signin':
      return { name: first };
    default:
      return { name: 'not-found', path };
  }
}
