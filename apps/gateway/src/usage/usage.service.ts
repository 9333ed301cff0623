import { BadRequestException, ForbiddenException, Injectable } from '@nestjs/common';
import { UsageQuery, UsageSummary } from '@app/contracts';
import { LlmCallsRepository } from '@app/persistence';
import { Caller } from '../auth/caller';

@Injectable()
export class UsageService {
  constructor(private readonly calls: LlmCallsRepository) {}

  /** The caller's tenant's language-model usage, or (admins) every tenant's or the one named. */
  async summarize(query: UsageQuery, caller: Caller): Promise<UsageSummary> {
    if (caller.role !== 'admin' && query.tenantId !== undefined && query.tenantId !== caller.tenantId) {
      throw new ForbiddenException('a client key sees only the usage of its own tenant');
    }
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
      throw new BadRequestException('from must be before to');
    }
    const tenantId = caller.role === 'admin' ? (query.tenantId ?? null) : caller.tenantId;
    const { groups, total } = await this.calls.summarize({
      groupBy: query.groupBy,
      from: query.from,
      to: query.to,
      tenantId,
    });
    return {
      groupBy: query.groupBy,
      from: query.from ?? null,
      to: query.to ?? null,
      tenantId,
      groups,
      total,
    };
  }
}
