import { LlmError } from '../agent-errors';
import { LlmProvider, LlmProviderAnswer, LlmProviderCall } from './llm-provider';

/**
 * The offline provider: answers each call with the rules the agent gave on its request
 * (`rules`), deterministic and free. It calls no model, so it spends no tokens.
 */
export class OfflineRulesProvider implements LlmProvider {
  readonly name = 'offline';

  async call(call: LlmProviderCall): Promise<LlmProviderAnswer> {
    if (!call.rules) {
      throw new LlmError(
        'the offline language model answers only calls that bring their rules (request.rules)',
      );
    }
    const value = call.rules();
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (call.isStreamed) call.onDelta(text);
    return { text, model: 'offline', usage: { promptTokens: 0, completionTokens: 0 } };
  }
}
