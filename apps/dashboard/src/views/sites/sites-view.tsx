import { useEffect, useMemo } from 'preact/hooks';
import { Link } from '../../components/link';
import { Notice } from '../../components/notice';
import { SitesStore } from './sites.store';
import { CellLabel, TableScroll } from '../../components/table-scroll';

export function SitesView() {
  const store = useMemo(() => new SitesStore(), []);
  useEffect(() => void store.load(), []);
  const sites = store.sites.value;
  return (
    <section aria-labelledby="sites-title">
      <h1 id="sites-title">Sites</h1>
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}
      {!sites && !store.error.value && <p role="status">Loading sites…</p>}
      {sites && sites.length === 0 && (
        <p class="empty">No site is published yet: a CREATE_SITE publishes one.</p>
      )}
      {sites && sites.length > 0 && (
        <TableScroll label="Sites" stacksOnPhone>
          <table class="table" data-testid="sites-table">
            <caption class="visually-hidden">Published sites</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Serves version</th>
                <th scope="col">Versions</th>
                <th scope="col">Changed</th>
                <th scope="col">Live page</th>
              </tr>
            </thead>
            <tbody>
              {sites.map((site) => (
                <tr key={site.siteId}>
                  <th scope="row">
                    <Link to={`/sites/${encodeURIComponent(site.siteId)}`} data-nav-item>
                      {site.siteId}
                    </Link>
                  </th>
                  <td>
                    <CellLabel>Serves version</CellLabel>
                    {site.currentVersion}
                  </td>
                  <td>
                    <CellLabel>Versions</CellLabel>
                    {site.versionCount}
                  </td>
                  <td>
                    <CellLabel>Changed</CellLabel>
                    {new Date(site.updatedAt).toLocaleString()}
                  </td>
                  <td>
                    <a href={site.path} target="_blank" rel="noopener">
                      Open {site.siteId}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
