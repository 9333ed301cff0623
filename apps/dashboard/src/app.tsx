import type { JSX } from 'preact';
import { useSignalEffect } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from './components/dialog';
import { ErrorBoundary } from './components/error-boundary';
import { Link } from './components/link';
import { Notice } from './components/notice';
import { isHelpOpen, SHORTCUTS } from './keyboard';
import { location, match, navigate, type Route } from './router';
import { isAdmin, live, session, signOut } from './session';
import { applyTheme, isDarkInForce } from './theme';
import { AgentsView } from './views/agents/agents-view';
import { DiffView } from './views/diff/diff-view';
import { KeysView } from './views/keys/keys-view';
import { QueuesView } from './views/queues/queues-view';
import { RunView } from './views/run/run-view';
import { RunsView } from './views/runs/runs-view';
import { SignInView } from './views/signin/signin-view';
import { SiteView } from './views/sites/site-view';
import { SitesView } from './views/sites/sites-view';
import { StartView } from './views/start/start-view';

const NAVIGATION: { to: string; label: string; routes: Route['name'][]; isAdminOnly?: boolean }[] = [
  { to: '/', label: 'Runs', routes: ['runs', 'run', 'diff'] },
  { to: '/start', label: 'Start', routes: ['start'] },
  { to: '/agents', label: 'Agents', routes: ['agents'] },
  { to: '/queues', label: 'Queues', routes: ['queues'], isAdminOnly: true },
  { to: '/sites', label: 'Sites', routes: ['sites', 'site'] },
  { to: '/keys', label: 'Keys', routes: ['keys'], isAdminOnly: true },
];

const TITLES: Record<Route['name'], string> = {
  runs: 'Runs',
  run: 'Run',
  diff: 'Compare runs',
  start: 'Start a workflow',
  agents: 'Agents',
  queues: 'Queues',
  sites: 'Sites',
  site: 'Site',
  keys: 'API keys',
  signin: 'Sign in',
  'not-found': 'Not found',
};

export function App() {
  const route = match(location.value.path);
  const current = session.value;

  useSignalEffect(() => {
    const name = match(location.value.path).name;
    document.title = `${TITLES[name]} · Agent orchestrator`;
  });

  useEffect(() => {
    if (current.kind === 'signed-out' && route.name !== 'signin') {
      const { path, query } = location.value;
      const back = path + (query.size ? `?${query.toString()}` : '');
      navigate(`/signin${back === '/' ? '' : `?next=${encodeURIComponent(back)}`}`, { replace: true });
    }
  }, [current.kind, route.name]);

  if (current.kind === 'checking') {
    return (
      <main id="main" class="center">
        <p role="status">Checking your session…</p>
      </main>
    );
  }
  if (current.kind === 'signed-out' || route.name === 'signin') {
    return (
      <main id="main" class="center">
        <ErrorBoundary resetKey="signin">
          <SignInView />
        </ErrorBoundary>
      </main>
    );
  }
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header route={route} />
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={location.value.path}>
          <View route={route} />
        </ErrorBoundary>
      </main>
      <HelpDialog />
    </>
  );
}

function View({ route }: { route: Route }) {
  const adminOnly = (view: JSX.Element) =>
    isAdmin() ? view : <Notice kind="error">This page is only for admin keys.</Notice>;
  switch (route.name) {
    case 'runs':
      return <RunsView />;
    case 'run':
      return <RunView key={route.workflowId} workflowId={route.workflowId} />;
    case 'diff':
      return (
        <DiffView
          key={`${route.workflowId}/${route.otherId}`}
          workflowId={route.workflowId}
          otherId={route.otherId}
        />
      );
    case 'start':
      return <StartView />;
    case 'agents':
      return <AgentsView />;
    case 'queues':
      return adminOnly(<QueuesView />);
    case 'sites':
      return <SitesView />;
    case 'site':
      return <SiteView key={route.siteId} siteId={route.siteId} />;
    case 'keys':
      return adminOnly(<KeysView />);
    case 'signin':
      return null;
    case 'not-found':
      return (
        <section class="panel">
          <h1>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <Link to="/">Back to the runs</Link>
          </p>
        </section>
      );
  }
}

function Header({ route }: { route: Route }) {
  const [isMenuOpen, setMenuOpen] = useState(false);
  const me = session.value.kind === 'signed-in' ? session.value.identity : null;
  const isDarkChoice = isDarkInForce.value;
  return (
    <header class="topbar">
      <Link to="/" class="brand">
        Agent orchestrator
      </Link>
      <button
        type="button"
        class="menu-button"
        aria-expanded={isMenuOpen}
        aria-controls="primary-nav"
        onClick={() => setMenuOpen(!isMenuOpen)}
      >
        Menu
      </button>
      <nav id="primary-nav" aria-label="Main" class={isMenuOpen ? 'nav open' : 'nav'}>
        <ul>
          {NAVIGATION.filter((item) => !item.isAdminOnly || isAdmin()).map((item) => (
            <li key={item.to}>
              <Link
                to={item.to}
                aria-current={item.routes.includes(route.name) ? 'page' : undefined}
                onClick={() => setMenuOpen(false)}
              >
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div class="topbar-tools">
        {me && (
          <span class="identity" data-testid="identity">
            {me.role} · {me.tenantId}
          </span>
        )}
        <button
          type="button"
          class="ghost"
          aria-pressed={isDarkChoice}
          onClick={() => applyTheme(isDarkChoice ? 'light' : 'dark')}
          title="Switch between the light and dark themes"
        >
          {isDarkChoice ? 'Light theme' : 'Dark theme'}
        </button>
        <button
          type="button"
          class="ghost"
          onClick={() => (isHelpOpen.value = true)}
          aria-label="Keyboard shortcuts"
        >
          ?
        </button>
        <button type="button" class="ghost" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function ConnectionBanner() {
  const state = live.state.value;
  const notice = live.notice.value;
  const [isNoticeShown, setNoticeShown] = useState(false);
  useEffect(() => {
    if (!notice) return;
    setNoticeShown(true);
    const timer = window.setTimeout(() => setNoticeShown(false), 15_000);
    return () => window.clearTimeout(timer);
  }, [notice]);
  const text =
    state === 'disconnected'
      ? 'Connection lost — reconnecting…'
      : state === 'connected' && notice && isNoticeShown
        ? notice
        : '';
  return (
    <div
      class={`connection ${text ? `connection-${state}` : 'connection-hidden'}`}
      role="status"
      aria-live="polite"
      data-testid="connection"
      data-state={state}
    >
      {text}
    </div>
  );
}

function HelpDialog() {
  return (
    <Dialog
      title="Keyboard shortcuts"
      isOpen={isHelpOpen.value}
      onClose={() => (isHelpOpen.value = false)}
      testId="help"
    >
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([key, does]) => (
            <tr key={key}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Every action is also reachable with Tab and works with Enter or Space.</p>
    </Dialog>
  );
}
