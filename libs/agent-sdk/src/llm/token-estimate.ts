import { LlmMessage } from './llm-request';

/**
 * Tokens in `text`, estimated at about four characters a token (OpenAI's rule of thumb for
 * English). Used only when a provider reported nothing, and marked as estimated where it is kept.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The estimated tokens of a prompt: its messages' text, plus a few per message for the roles. */
export function estimatePromptTokens(messages: LlmMessage[]): number {
  return messages.reduce((total, message) => total + estimateTokens(message.content) + 4, 0);
}
