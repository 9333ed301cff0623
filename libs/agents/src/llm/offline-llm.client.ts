import { writeCopyByRules } from '../content/site-copy.rules';
import { applySiteChangeByRules } from '../planner/site-change.rules';
import { planSiteByRules } from '../planner/site-request.rules';
import { LlmClient, LlmCompletion, LlmRequest } from './llm.client';

/**
 * The default provider: answers each task with the planner's and content's rules, offline and
 * deterministic. It calls no model, so it records no token usage.
 */
export class OfflineLlmClient implements LlmClient {
  readonly provider = 'offline';

  async complete(request: LlmRequest): Promise<LlmCompletion> {
    const { task } = request;
    switch (task.name) {
      case 'plan-site':
        return this.answer(planSiteByRules(task.request).spec);
      case 'change-site': {
        const { spec, changes } = applySiteChangeByRules(task.spec, task.request);
        return this.answer({ spec, change: changes.join('; ') });
      }
      case 'write-copy':
        return this.answer(writeCopyByRules(task.spec));
    }
  }

  private answer(value: unknown): LlmCompletion {
    return { text: JSON.stringify(value), provider: this.provider };
  }
}
