import { serverSentEventData } from './server-sent-events.parser';

/** A body that arrives in the given network chunks. */
function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function dataOf(chunks: string[]): Promise<string[]> {
  const found: string[] = [];
  for await (const data of serverSentEventData(bodyOf(chunks))) found.push(data);
  return found;
}

describe('serverSentEventData', () => {
  it('yields each event’s data in order, whatever the network split', async () => {
    expect(await dataOf(['data: {"a":1}\n\nda', 'ta: {"a":2}\n', '\ndata: [DONE]\n\n'])).toEqual([
      '{"a":1}',
      '{"a":2}',
      '[DONE]',
    ]);
  });

  it('reads CRLF and CR line ends, even a CRLF split between chunks', async () => {
    expect(await dataOf(['data: one\r', '\n\r\ndata: two\r\r'])).toEqual(['one', 'two']);
  });

  it('joins multi-line data, skips comments and other fields, and keeps a last event without a blank line', async () => {
    expect(await dataOf([': keep-alive\n\nevent: chunk\nid: 7\ndata: a\ndata:b\n\ndata: last'])).toEqual([
      'a\nb',
      'last',
    ]);
  });

  it('keeps a multi-byte character split between chunks whole', async () => {
    const bytes = new TextEncoder().encode('data: thé\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 9));
        controller.enqueue(bytes.slice(9));
        controller.close();
      },
    });
    const found: string[] = [];
    for await (const data of serverSentEventData(body)) found.push(data);
    expect(found).toEqual(['thé']);
  });
});
