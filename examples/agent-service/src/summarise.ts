/** What the text-summary agent returns for one text. */
export interface TextSummary {
  summary: string;
  wordCount: number;
  sentenceCount: number;
  /** At 200 words a minute, rounded up. */
  readingMinutes: number;
  /** The most frequent words that carry meaning, most frequent first. */
  keywords: { word: string; count: number }[];
}

const WORDS_PER_MINUTE = 200;
const KEYWORD_COUNT = 5;
/** Sentences scored between two checks of the step's signal. */
const SENTENCES_PER_SLICE = 500;
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have he her his i if in into is it its of on or our ' +
    'she so than that the their them then there these they this to was we were what when which who ' +
    'will with you your not no do does did can could would should may might also more most very'
  ).split(' '),
);

const sentencesOf = (text: string): string[] =>
  text
    .split(/(?<=[.!?])\s+/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);

/** Letters and digits, with the apostrophes and hyphens inside a word ("otter's", "semi-aquatic"). */
const wordsOf = (text: string): string[] =>
  text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];

/**
 * An extractive summary: the sentences that use the text's most frequent words most densely,
 * kept in their original order. Yields to the event loop every few hundred sentences and stops
 * there when `signal` fires, so a long text never holds the worker past a cancel or a timeout.
 */
export async function summarise(
  text: string,
  maxSentences: number,
  signal: AbortSignal,
): Promise<TextSummary> {
  const sentences = sentencesOf(text);
  const words = wordsOf(text);
  const frequency = new Map<string, number>();
  for (const word of words) {
    if (!STOP_WORDS.has(word) && word.length > 2) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }

  const scores: { index: number; score: number }[] = [];
  for (const [index, sentence] of sentences.entries()) {
    if (index % SENTENCES_PER_SLICE === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
    }
    const sentenceWords = wordsOf(sentence);
    const weight = sentenceWords.reduce((sum, word) => sum + (frequency.get(word) ?? 0), 0);
    scores.push({ index, score: weight / Math.max(1, sentenceWords.length) });
  }
  const chosen = scores
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, maxSentences)
    .map(({ index }) => index)
    .sort((a, b) => a - b);

  return {
    summary: chosen.map((index) => sentences[index]).join(' '),
    wordCount: words.length,
    sentenceCount: sentences.length,
    readingMinutes: Math.ceil(words.length / WORDS_PER_MINUTE),
    keywords: [...frequency]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .slice(0, KEYWORD_COUNT)
      .map(([word, count]) => ({ word, count })),
  };
}
