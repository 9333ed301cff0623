import { useEffect, useMemo, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/dialog';
import { Link } from '../../components/link';
import { Notice } from '../../components/notice';
import { location, setQuery } from '../../router';
import { isAdmin } from '../../session';
import { SiteStore } from './sites.store';
import { CellLabel, TableScroll } from '../../components/table-scroll';

export function SiteView({ siteId }: { siteId: string }) {
  const store = useMemo(() => new SiteStore(siteId), [siteId]);
  useEffect(() => void store.load(), [store]);
  const [rollbackTo, setRollbackTo] = useState<number | null>(null);
  const versions = store.versions.value;
  const asked = Number(location.value.query.get('version'));
  const previewed = versions?.find((version) => version.version === asked) ?? null;
  const base = `/sites/${encodeURIComponent(siteId)}/`;
  const previewUrl = previewed && !previewed.isCurrent ? `${base}versions/${previewed.version}/` : base;
  const message = store.rollbackMessage.value;

  return (
    <section aria-labelledby="site-title" class="site-view">
      <p>
        <Link to="/sites">← Sites</Link>
      </p>
      <h1 id="site-title">
        Site <span class="mono">{siteId}</span>
      </h1>
      {store.error.value && (
        <Notice kind="error" testId="site-error">
          {store.error.value}
        </Notice>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!versions && !store.error.value && <p role="status">Loading versions…</p>}
      {versions && (
        <div class="site-layout">
          <TableScroll label="Versions" stacksOnPhone>
            <table class="table" data-testid="versions-table">
              <caption class="visually-hidden">Versions of {siteId}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Published</th>
                  <th scope="col">Change</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...versions].reverse().map((version) => (
                  <tr key={version.version} class={version.isCurrent ? 'current' : ''}>
                    <th scope="row">
                      {version.version}
                      {version.isCurrent && <span class="badge status-completed">✓ served</span>}
                    </th>
                    <td>
                      <CellLabel>Published</CellLabel>
                      {new Date(version.publishedAt).toLocaleString()}
                    </td>
                    <td>
                      <CellLabel>Change</CellLabel>
                      {version.change ?? (version.version === 1 ? 'New site' : '—')}
                    </td>
                    <td>
                      <CellLabel>Workflow</CellLabel>
                      {version.workflowId ? (
                        <Link to={`/runs/${version.workflowId}`}>{version.workflowType ?? 'run'}</Link>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        data-nav-item
                        aria-pressed={previewed?.version === version.version}
                        onClick={() => setQuery(new URLSearchParams({ version: String(version.version) }))}
                      >
                        Preview {version.version}
                      </button>
                      {isAdmin() && !version.isCurrent && (
                        <button
                          type="button"
                          class="danger"
                          disabled={store.isRollingBack.value}
                          onClick={() => setRollbackTo(version.version)}
                        >
                          Roll back to {version.version}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <figure class="preview">
            <figcaption>
              Preview of{' '}
              {previewed && !previewed.isCurrent ? `version ${previewed.version}` : 'the served version'} ·{' '}
              <a href={previewUrl} target="_blank" rel="noopener">
                open in a new tab
              </a>
            </figcaption>
            <iframe
              title={`Preview of ${siteId}`}
              src={previewUrl}
              // Same origin, so the site's own styles and images load (its CSP allows only 'self'); no scripts.
              sandbox="allow-same-origin"
              data-testid="site-preview"
            />
          </figure>
        </div>
      )}
      <ConfirmDialog
        title={`Roll ${siteId} back to version ${rollbackTo ?? ''}?`}
        isOpen={rollbackTo !== null}
        confirmLabel={`Serve version ${rollbackTo ?? ''}`}
        isDanger
        onConfirm={() => rollbackTo !== null && void store.rollback(rollbackTo)}
        onClose={() => setRollbackTo(null)}
      >
        <p>The site's address serves that version at once. No version is deleted; you can switch back.</p>
      </ConfirmDialog>
    </section>
  );
}
