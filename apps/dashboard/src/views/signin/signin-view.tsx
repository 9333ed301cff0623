import { useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/api-error';
import { Notice } from '../../components/notice';
import { location, navigate } from '../../router';
import { signIn, signInNotice } from '../../session';

/** Only in-app paths are followed after sign-in, never another origin. */
function nextPath(): string {
  const next = location.value.query.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
}

export function SignInView() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!key.trim()) {
      setError('Type your API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
      setKey('');
      navigate(nextPath(), { replace: true });
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'That key was refused: it is wrong, revoked or expired.'
          : describeError(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p>Sign in with an API key. It is kept in this tab only, and forgotten when the tab closes.</p>
      {signInNotice.value && (
        <Notice kind="error" testId="signin-notice">
          {signInNotice.value}
        </Notice>
      )}
      <form onSubmit={submit} noValidate>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        {error && (
          <p id="signin-error" class="field-error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={isBusy}>
          {isBusy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
