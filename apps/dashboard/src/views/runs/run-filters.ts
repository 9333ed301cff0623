import type { WorkflowListQuery, WorkflowStatus, WorkflowSummary } from '../../api/types';
import { WORKFLOW_STATUSES } from '../../api/types';

/** The time ranges offered in the list; `range` in the URL. */
export const RANGES: { value: string; label: string; milliseconds: number }[] = [
  { value: '1h', label: 'Last hour', milliseconds: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', milliseconds: 86_400_000 },
  { value: '7d', label: 'Last 7 days', milliseconds: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', milliseconds: 30 * 86_400_000 },
];

export interface RunFilters {
  status?: WorkflowStatus;
  type?: string;
  tenantId?: string;
  range?: string;
  from?: string;
  to?: string;
  q?: string;
}

const TYPE = /^[A-Z][A-Z0-9_]{0,99}$/;
const TENANT = /^[a-z0-9][a-z0-9_-]{0,99}$/;

function isInstant(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * The filters in a runs URL. A value the server would refuse (edited by hand) is left out and
 * named in `ignored`, so the page says what it did instead of failing.
 */
export function parseFilters(
  query: URLSearchParams,
  isAdmin: boolean,
): { filters: RunFilters; ignored: string[] } {
  const filters: RunFilters = {};
  const ignored: string[] = [];
  const take = (
    name: string,
    isValid: (value: string) => boolean,
    set: (value: string) => void,
    why = '',
  ) => {
    const value = query.get(name);
    if (value === null || value === '') return;
    if (isValid(value)) set(value);
    else ignored.push(`Ignored filter ${name}=${value.slice(0, 60)}${why}`);
  };
  take(
    'status',
    (value) => (WORKFLOW_STATUSES as readonly string[]).includes(value),
    (value) => {
      filters.status = value as WorkflowStatus;
    },
  );
  take(
    'type',
    (value) => TYPE.test(value),
    (value) => (filters.type = value),
  );
  take(
    'tenant',
    (value) => isAdmin && TENANT.test(value),
    (value) => (filters.tenantId = value),
    isAdmin ? '' : ' (only admin keys list other tenants)',
  );
  take(
    'range',
    (value) => RANGES.some((range) => range.value === value),
    (value) => (filters.range = value),
  );
  take('from', isInstant, (value) => (filters.from = value));
  take('to', isInstant, (value) => (filters.to = value));
  take(
    'q',
    (value) => value.length <= 200,
    (value) => (filters.q = value),
    ' (longer than 200 characters)',
  );
  if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to)) {
    ignored.push(`Ignored filter to=${filters.to} (not after from)`);
    delete filters.to;
  }
  return { filters, ignored };
}

/** The URL query of some filters (the inverse of parseFilters). */
export function queryOf(filters: RunFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.type) query.set('type', filters.type);
  if (filters.tenantId) query.set('tenant', filters.tenantId);
  if (filters.range) query.set('range', filters.range);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', filters.to);
  if (filters.q) query.set('q', filters.q);
  return query;
}

/** The query of `GET /workflows` for some filters, `range` turned into `from` as of `now`. */
export function listQueryOf(filters: RunFilters, now: number): WorkflowListQuery {
  const range = RANGES.find((candidate) => candidate.value === filters.range);
  return {
    status: filters.status,
    type: filters.type,
    tenantId: filters.tenantId,
    from: range ? new Date(now - range.milliseconds).toISOString() : filters.from,
    to: range ? undefined : filters.to,
    q: filters.q,
  };
}

/**
 * Whether a workflow pushed live belongs in the list. A text filter cannot be checked here (the
 * summary has no input), so with one only rows already listed are updated.
 */
export function matchesFilters(summary: WorkflowSummary, filters: RunFilters, now: number): boolean {
  if (filters.q) return false;
  if (filters.status && summary.status !== filters.status) return false;
  if (filters.type && summary.type !== filters.type) return false;
  if (filters.tenantId && summary.tenantId !== undefined && summary.tenantId !== filters.tenantId)
    return false;
  const query = listQueryOf(filters, now);
  const created = Date.parse(summary.createdAt);
  if (query.from && created < Date.parse(query.from)) return false;
  if (query.to && created >= Date.parse(query.to)) return false;
  return true;
}
