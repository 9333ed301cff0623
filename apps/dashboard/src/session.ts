import { signal } from '@preact/signals';
import { ApiClient } from './api/api-client';
import type { CallerIdentity } from './api/types';
import { LiveConnection } from './live/live-connection';
import { location, navigate } from './router';

const STORAGE_KEY = 'dashboard.apiKey';

export type SessionState =
  { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; identity: CallerIdentity };

export const session = signal<SessionState>({ kind: 'checking' });
/** Why the sign-in page is shown (an expired session, say). */
export const signInNotice = signal<string | null>(null);

function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export const api = new ApiClient(storedKey, () =>
  endSession('Your session has ended: the server refused your key (revoked or expired). Sign in again.'),
);

export const live = new LiveConnection((message) => endSession(message));

export function isAdmin(): boolean {
  const current = session.value;
  return current.kind === 'signed-in' && current.identity.role === 'admin';
}

export function identity(): CallerIdentity | null {
  const current = session.value;
  return current.kind === 'signed-in' ? current.identity : null;
}

/** Checks a key with GET /auth/me; keeps it in sessionStorage only when it is accepted. */
export async function signIn(key: string): Promise<void> {
  const me = await api.me(key);
  sessionStorage.setItem(STORAGE_KEY, key);
  signInNotice.value = null;
  live.connect(key);
  session.value = { kind: 'signed-in', identity: me };
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  live.disconnect();
  session.value = { kind: 'signed-out' };
  navigate('/signin');
}

/** The key stopped working: back to sign-in, saying why, and back here afterwards. */
export function endSession(message: string): void {
  if (session.value.kind === 'signed-out') return;
  sessionStorage.removeItem(STORAGE_KEY);
  live.disconnect();
  signInNotice.value = message;
  session.value = { kind: 'signed-out' };
  const { path, query } = location.value;
  if (path !== '/signin') {
    const back = path + (query.size ? `?${query.toString()}` : '');
    navigate(`/signin?next=${encodeURIComponent(back)}`);
  }
}

/** On load: a key from this tab's session is checked again before anything is shown. */
export async function restoreSession(): Promise<void> {
  const key = storedKey();
  if (!key) {
    session.value = { kind: 'signed-out' };
    return;
  }
  try {
    const me = await api.me(key);
    live.connect(key);
    session.value = { kind: 'signed-in', identity: me };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401) {
      sessionStorage.removeItem(STORAGE_KEY);
      signInNotice.value =
        'Your session has ended: the server refused your key (revoked or expired). Sign in again.';
    } else {
      signInNotice.value = `Could not check your session: ${(error as Error).message}`;
    }
    session.value = { kind: 'signed-out' };
  }
}
