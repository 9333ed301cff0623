import type { StepTokensEvent } from '../api/types';

/** How much of a streamed answer a step keeps on the page: its end is what is being written. */
export const STREAMED_CHARACTERS_KEPT = 4000;

/**
 * The steps' streamed answers with one more piece: added to its step's text, or starting it again
 * for a new attempt (sequence 1); a piece of another workflow changes nothing.
 */
export function withStreamedPiece(
  streamed: Readonly<Record<string, string>>,
  workflowId: string,
  piece: StepTokensEvent,
): Readonly<Record<string, string>> {
  if (piece.workflowId !== workflowId) return streamed;
  const before = piece.sequence === 1 ? '' : (streamed[piece.stepId] ?? '');
  return { ...streamed, [piece.stepId]: (before + piece.text).slice(-STREAMED_CHARACTERS_KEPT) };
}
