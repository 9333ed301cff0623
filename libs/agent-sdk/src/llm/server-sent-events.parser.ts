/**
 * The `data` of each server-sent event of a response body, in order. Events are separated by a
 * blank line; a multi-line `data` is joined with newlines; comments (`:`) and other fields are
 * skipped. Lines may end in LF, CRLF or CR, and an event may be split across network chunks.
 */
export async function* serverSentEventData(
  body: ReadableStream<Uint8Array>,
  /** Aborted: the body is cancelled (its connection closed) and the read throws the abort's reason. */
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  let data: string[] = [];
  const reader = body.getReader();
  const cancel = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      const lines = buffered.split(/\r\n|\n|\r(?!$)/);
      buffered = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
      if (done) break;
    }
    if (data.length > 0) yield data.join('\n');
  } finally {
    signal?.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}
