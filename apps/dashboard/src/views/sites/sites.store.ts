import { signal } from '@preact/signals';
import { describeError } from '../../api/api-error';
import type { SiteSummary, SiteVersion } from '../../api/types';
import { api } from '../../session';

export class SitesStore {
  readonly sites = signal<SiteSummary[] | null>(null);
  readonly error = signal<string | null>(null);

  async load(): Promise<void> {
    try {
      this.sites.value = await api.sites();
    } catch (error) {
      this.error.value = describeError(error);
    }
  }
}

/** One site: its versions, and rollback (admins). */
export class SiteStore {
  readonly versions = signal<SiteVersion[] | null>(null);
  readonly error = signal<string | null>(null);
  readonly rollbackMessage = signal<{ kind: 'success' | 'error'; text: string } | null>(null);
  readonly isRollingBack = signal(false);

  constructor(readonly siteId: string) {}

  async load(): Promise<void> {
    try {
      this.versions.value = await api.siteVersions(this.siteId);
      this.error.value = null;
    } catch (error) {
      this.error.value = describeError(error);
    }
  }

  async rollback(version: number): Promise<void> {
    this.isRollingBack.value = true;
    try {
      await api.rollback(this.siteId, version);
      this.rollbackMessage.value = { kind: 'success', text: `The site now serves version ${version}.` };
      await this.load();
    } catch (error) {
      this.rollbackMessage.value = { kind: 'error', text: describeError(error) };
    } finally {
      this.isRollingBack.value = false;
    }
  }
}
