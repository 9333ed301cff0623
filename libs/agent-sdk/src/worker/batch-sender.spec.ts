import { BatchSender } from './batch-sender';

describe('BatchSender', () => {
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

  it('sends a full batch of 500 at once and the rest on flush, in order', async () => {
    const sent: number[][] = [];
    const sender = new BatchSender<number>('numbers', async (items) => void sent.push(items), logger);
    for (let i = 0; i < 501; i++) sender.push(i);
    await sender.flush();
    expect(sent.map((batch) => batch.length)).toEqual([500, 1]);
    expect(sent.flat()).toEqual(Array.from({ length: 501 }, (_, i) => i));
  });

  it('keeps a batch whose send failed and sends it with the next one', async () => {
    const sent: number[][] = [];
    let isDown = true;
    const sender = new BatchSender<number>(
      'numbers',
      async (items) => {
        if (isDown) throw new Error('redis away');
        sent.push(items);
      },
      logger,
    );
    sender.push(1);
    await sender.flush();
    isDown = false;
    sender.push(2);
    await sender.flush();
    expect(sent).toEqual([[1, 2]]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('could not queue 1 numbers'));
  });
});
