import { IsIn, IsOptional, Matches } from 'class-validator';
import { TimeRangeQuery } from './time-range.query';

/** What `GET /usage` groups language-model calls by. */
export const USAGE_GROUPS = ['model', 'agent', 'tenant', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/**
 * Query of `GET /usage`: the calls that finished in [from, to) (all time when left out), grouped
 * by model, agent, tenant or UTC day. A client key sees its own tenant's calls; an admin key every
 * tenant's, or one tenant's with `tenantId`.
 */
export class UsageQuery extends TimeRangeQuery {
  @IsIn(USAGE_GROUPS, { message: `groupBy must be one of ${USAGE_GROUPS.join(', ')}` })
  groupBy: UsageGroup = 'model';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'tenantId must be 1-100 letters, digits, _ . : or -' })
  tenantId?: string;
}
