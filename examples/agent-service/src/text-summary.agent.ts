import {
  Agent,
  AgentContext,
  AgentDescriptor,
  LogLevel,
  ValidationError,
} from '@agent-orchestrator/agent-sdk';
import { TextSummary, summarise } from './summarise';

const MAX_TEXT_LENGTH = 200_000;
const DEFAULT_SENTENCES = 2;

/** The text-summary agent's output: a summary, and where its text came from. */
export interface TextSummaryOutput extends TextSummary {
  /** `input` for the workflow's `text`, or the ids of the steps whose summaries it merged. */
  sources: string[];
}

/**
 * Summarises text. A step with no dependencies reads the workflow's `input.text`; a step after
 * others summarises their `summary` outputs together (a digest of several summaries, or a
 * headline of one). `input.sentences` (1-20, default 2) bounds the summary's length.
 */
export class TextSummaryAgent implements Agent<TextSummaryOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'text-summary',
    version: '1.0.0',
    description: 'Extractive summary, word count, reading time and keywords of a text',
    // Seconds of work at most; k8s/deployment.yaml's grace period is this plus 30.
    timeoutSeconds: 30,
    inputSchema: {
      type: 'object',
      properties: {
        text: { type: 'string', maxLength: MAX_TEXT_LENGTH },
        sentences: { type: 'integer', minimum: 1, maximum: 20 },
      },
    },
  };

  async execute(context: AgentContext): Promise<TextSummaryOutput> {
    const { text, sources } = textToSummarise(context);
    const sentences = sentencesWanted(context.input.sentences);
    context.log(LogLevel.Info, `summarising ${text.length} characters from ${sources.join(', ')}`, {
      sentences,
    });
    const summary = await summarise(text, sentences, context.signal);
    context.log(LogLevel.Info, `kept ${summary.summary.length} characters`, {
      wordCount: summary.wordCount,
      keywords: summary.keywords.map(({ word }) => word),
    });
    return { ...summary, sources };
  }
}

function textToSummarise(context: AgentContext): { text: string; sources: string[] } {
  const dependencies = Object.entries(context.dependencies);
  if (dependencies.length > 0) {
    const summaries = dependencies.map(([stepId, output]) => {
      const summary = (output as { summary?: unknown } | null)?.summary;
      if (typeof summary !== 'string') {
        throw new ValidationError(
          `step ${stepId} gave no summary to summarise: depend on text-summary steps only`,
        );
      }
      return summary;
    });
    return { text: summaries.join(' '), sources: dependencies.map(([stepId]) => stepId) };
  }
  const text = context.input.text;
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new ValidationError('input.text must be a non-empty string');
  }
  if (text.length > MAX_TEXT_LENGTH) {
    throw new ValidationError(`input.text has ${text.length} characters, more than ${MAX_TEXT_LENGTH}`);
  }
  return { text, sources: ['input'] };
}

function sentencesWanted(value: unknown): number {
  if (value === undefined) return DEFAULT_SENTENCES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 20) {
    throw new ValidationError('input.sentences must be an integer from 1 to 20');
  }
  return value;
}
