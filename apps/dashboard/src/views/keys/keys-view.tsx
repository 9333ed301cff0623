import { signal } from '@preact/signals';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/api-error';
import type { ApiKeySummary, CreatedApiKey, Role } from '../../api/types';
import { ConfirmDialog, Dialog } from '../../components/dialog';
import { Notice } from '../../components/notice';
import { api } from '../../session';
import { CellLabel, TableScroll } from '../../components/table-scroll';

/** API keys (admins): list, create (the secret shown once), revoke. */
class KeysStore {
  readonly keys = signal<ApiKeySummary[] | null>(null);
  readonly error = signal<string | null>(null);
  readonly created = signal<CreatedApiKey | null>(null);
  readonly createError = signal<string | null>(null);

  async load(): Promise<void> {
    try {
      this.keys.value = await api.keys();
    } catch (error) {
      this.error.value = describeError(error);
    }
  }

  async create(request: { tenantId: string; role: Role; name: string }): Promise<boolean> {
    this.createError.value = null;
    try {
      this.created.value = await api.createKey(request);
      await this.load();
      return true;
    } catch (error) {
      this.createError.value = error instanceof ApiError ? error.message : describeError(error);
      return false;
    }
  }

  async revoke(keyId: string): Promise<void> {
    try {
      await api.revokeKey(keyId);
      await this.load();
    } catch (error) {
      this.error.value = describeError(error);
    }
  }
}

export function KeysView() {
  const store = useMemo(() => new KeysStore(), []);
  useEffect(() => void store.load(), []);
  const [tenantId, setTenantId] = useState('');
  const [role, setRole] = useState<Role>('client');
  const [name, setName] = useState('');
  const [revoking, setRevoking] = useState<ApiKeySummary | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const keys = store.keys.value;
  const created = store.created.value;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (await store.create({ tenantId: tenantId.trim(), role, name: name.trim() })) {
      setName('');
      setCopied(null);
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}
      <form class="panel filters" onSubmit={submit} aria-labelledby="create-key-title">
        <h2 id="create-key-title" class="full">
          Create a key
        </h2>
        <div class="field">
          <label for="key-tenant">Tenant</label>
          <input
            id="key-tenant"
            required
            value={tenantId}
            onInput={(event) => setTenantId(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="key-role">Role</label>
          <select id="key-role" value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            <option value="client">client (its tenant's workflows)</option>
            <option value="admin">admin (everything)</option>
          </select>
        </div>
        <div class="field">
          <label for="key-name">Held by</label>
          <input
            id="key-name"
            required
            maxLength={200}
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary">
          Create key
        </button>
        {store.createError.value && (
          <p class="field-error full" role="alert">
            {store.createError.value}
          </p>
        )}
      </form>
      {!keys && !store.error.value && <p role="status">Loading keys…</p>}
      {keys && (
        <TableScroll label="API keys" stacksOnPhone>
          <table class="table" data-testid="keys-table">
            <caption class="visually-hidden">API keys, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Held by</th>
                <th scope="col">Tenant</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} data-testid="key-row" data-key-id={key.id}>
                  <th scope="row" class="mono">
                    {key.id}
                  </th>
                  <td>
                    <CellLabel>Held by</CellLabel>
                    {key.name}
                  </td>
                  <td>
                    <CellLabel>Tenant</CellLabel>
                    {key.tenantId}
                  </td>
                  <td>
                    <CellLabel>Role</CellLabel>
                    {key.role}
                  </td>
                  <td>
                    <CellLabel>Created</CellLabel>
                    {new Date(key.createdAt).toLocaleString()}
                  </td>
                  <td>
                    <CellLabel>State</CellLabel>
                    {key.revokedAt ? `Revoked ${new Date(key.revokedAt).toLocaleString()}` : 'Valid'}
                  </td>
                  <td>
                    {!key.revokedAt && (
                      <button type="button" class="danger" data-nav-item onClick={() => setRevoking(key)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <Dialog
        title="Your new key"
        isOpen={created !== null}
        onClose={() => (store.created.value = null)}
        testId="new-key"
      >
        {created && (
          <>
            <Notice kind="warning">Copy it now: it is shown this once and cannot be read again.</Notice>
            <label for="new-key-value">Key for {created.name}</label>
            <input
              id="new-key-value"
              class="mono"
              readOnly
              value={created.key}
              onFocus={(event) => event.currentTarget.select()}
            />
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={() =>
                  void navigator.clipboard.writeText(created.key).then(
                    () => setCopied('Copied.'),
                    () => setCopied('Could not copy: select the key and copy it by hand.'),
                  )
                }
              >
                Copy
              </button>
              <button type="button" onClick={() => (store.created.value = null)}>
                Done
              </button>
            </div>
            {copied && <p role="status">{copied}</p>}
          </>
        )}
      </Dialog>
      <ConfirmDialog
        title="Revoke this key?"
        isOpen={revoking !== null}
        confirmLabel="Revoke"
        isDanger
        onConfirm={() => revoking && void store.revoke(revoking.id)}
        onClose={() => setRevoking(null)}
      >
        <p>
          {revoking?.name} ({revoking?.tenantId}, {revoking?.role}) stops working at once, and its live
          connections are closed.
        </p>
      </ConfirmDialog>
    </section>
  );
}
