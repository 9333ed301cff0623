import { LlmMessage } from './llm-request';

/** One HTTP call (or one offline answer) as a provider makes it. */
export interface LlmProviderCall {
  model: string;
  messages: LlmMessage[];
  isJson: boolean;
  temperature: number;
  maxTokens?: number;
  isStreamed: boolean;
  /** The step's signal: a cancel or timeout aborts the call, a stream included. */
  signal: AbortSignal;
  /** Told each piece of a streamed answer as it arrives. */
  onDelta: (text: string) => void;
  rules?: () => unknown;
}

/** A provider's answer, with the usage it reported (null when it reported none). */
export interface LlmProviderAnswer {
  text: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number } | null;
}

/**
 * A source of answers: an OpenAI-compatible server, or the offline rules. A call that fails
 * throws an error of the taxonomy; one aborted (mid-stream or before its answer) throws an {@link LlmCallAborted}
 * holding what had arrived, so the tokens already spent are still counted.
 */
export interface LlmProvider {
  readonly name: string;
  call(call: LlmProviderCall): Promise<LlmProviderAnswer>;
}

/** A call aborted by its signal (a cancel, a timeout): the text and usage that had arrived by then. */
export class LlmCallAborted extends Error {
  constructor(
    readonly reason: unknown,
    readonly partialText: string,
    readonly usage: LlmProviderAnswer['usage'],
  ) {
    super('the call was aborted');
    this.name = 'LlmCallAborted';
  }
}
