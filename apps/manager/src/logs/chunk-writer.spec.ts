import type { ChunkCursor, MinioLogStore } from '@keelson/logs';
import { ChunkWriter } from './chunk-writer';

const REF = { namespace: 'demo', pipeline: 'web', run: 1, stage: 0, step: 0 };

function recorder(): { store: MinioLogStore; chunks: Array<{ offset: number; text: string; cursor?: ChunkCursor }> } {
  const chunks: Array<{ offset: number; text: string; cursor?: ChunkCursor }> = [];
  const store = { putChunk: async (_ref: unknown, _uid: string, offset: number, data: Buffer, cursor?: ChunkCursor) => void chunks.push({ offset, text: data.toString(), ...(cursor && { cursor }) }) };
  return { store: store as unknown as MinioLogStore, chunks };
}

async function write(start: number, parts: string[], chunkBytes: number, cursor?: ChunkCursor) {
  const { store, chunks } = recorder();
  const writer = new ChunkWriter(store, REF, 'uid', start, () => undefined, chunkBytes);
  for (const p of parts) await writer.write(Buffer.from(p));
  await writer.finish(cursor, cursor !== undefined);
  return { chunks, offset: writer.offset };
}

describe('ChunkWriter', () => {
  it('cuts chunks after the last newline that fits, names them by offset, and puts the cursor on the last', async () => {
    const { chunks, offset } = await write(100, ['aaa\nbb', 'b\ncc\n', 'dddddddddd'], 8, { node: '7', next: 40, done: false });
    expect(chunks).toEqual([
      { offset: 100, text: 'aaa\nbbb\n' },
      { offset: 108, text: 'cc\n' },
      { offset: 111, text: 'dddddddd' },
      { offset: 119, text: 'dd', cursor: { node: '7', next: 40, done: false } },
    ]);
    expect(offset).toBe(121);
  });

  it('cuts the same places whatever the read boundaries, so a retry from a cursor rewrites the same keys', async () => {
    const text = 'one\ntwo two\nthree three three\nfour\n';
    const whole = await write(0, [text], 10);
    const split = await write(0, text.split(''), 10);
    expect(split.chunks).toEqual(whole.chunks);
    // A longer read from the same start keeps every earlier chunk and extends the last one.
    const longer = await write(0, [`${text}five\n`], 10);
    expect(longer.chunks.slice(0, -1)).toEqual(whole.chunks.slice(0, -1));
    expect(longer.chunks.at(-1)!.text.startsWith(whole.chunks.at(-1)!.text)).toBe(true);
  });

  it('records a cursor that moved with an empty chunk, and writes nothing when nothing moved', async () => {
    expect((await write(5, [], 8, { node: '9', next: 12, done: true })).chunks).toEqual([{ offset: 5, text: '', cursor: { node: '9', next: 12, done: true } }]);
    expect((await write(5, [], 8)).chunks).toEqual([]);
  });
});
