import type { StepTokensEvent } from '../api/types';
import { STREAMED_CHARACTERS_KEPT, withStreamedPiece } from './streamed-answers';

const piece = (stepId: string, sequence: number, text: string, workflowId = 'w'): StepTokensEvent => ({
  workflowId,
  stepId,
  sequence,
  text,
});

describe('a run page’s streamed answers', () => {
  it('adds each piece to its step’s text, starts again with a new attempt, and ignores other workflows', () => {
    let streamed = {};
    for (const next of [
      piece('content', 1, 'Hello'),
      piece('content', 2, ', world'),
      piece('design', 1, 'Blue'),
      piece('content', 3, '!', 'another-workflow'),
    ])
      streamed = withStreamedPiece(streamed, 'w', next);
    expect(streamed).toEqual({ content: 'Hello, world', design: 'Blue' });
    expect(withStreamedPiece(streamed, 'w', piece('content', 1, 'Again'))).toEqual({
      content: 'Again',
      design: 'Blue',
    });
  });

  it('keeps only the end of a long answer', () => {
    let streamed: Readonly<Record<string, string>> = {};
    for (let sequence = 1; sequence <= 100; sequence++)
      streamed = withStreamedPiece(streamed, 'w', piece('long', sequence, `${'x'.repeat(99)}|`));
    expect(streamed.long).toHaveLength(STREAMED_CHARACTERS_KEPT);
    expect(streamed.long.endsWith('|')).toBe(true);
  });
});
