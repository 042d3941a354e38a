// Splits masked bytes into chunk objects of at most CHUNK_BYTES, cut after the last newline when there is one.
// Where a chunk ends depends only on the bytes from where the writer started, so reading the same Jenkins bytes
// again from a cursor writes the same keys with the same (or longer) contents: a retry never doubles a byte.
import type { ChunkCursor, MinioLogStore, StepLogRef } from '@keelson/logs';

export const CHUNK_BYTES = 1024 * 1024;

export class ChunkWriter {
  private parts: Buffer[] = [];
  private pending = 0;
  /** Bytes written (or waiting) so far: the stored offset after them. */
  offset: number;

  constructor(
    private readonly store: MinioLogStore,
    private readonly ref: StepLogRef,
    private readonly executionUid: string,
    start: number,
    private readonly onStored: () => void = () => undefined,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.offset = start;
  }

  /** The offset where the next chunk begins. */
  private get flushed(): number {
    return this.offset - this.pending;
  }

  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    this.parts.push(data);
    this.pending += data.length;
    this.offset += data.length;
    while (this.pending >= this.chunkBytes) {
      const buf = Buffer.concat(this.parts, this.pending);
      const newline = buf.lastIndexOf(0x0a, this.chunkBytes - 1);
      const cut = newline >= 0 ? newline + 1 : this.chunkBytes;
      await this.put(buf.subarray(0, cut));
      const rest = buf.subarray(cut);
      this.parts = rest.length > 0 ? [rest] : [];
      this.pending = rest.length;
    }
  }

  /**
   * Writes what waits, carrying `cursor`: the only chunk that says how far Jenkins was read. With nothing to
   * write it still records a cursor that moved (an empty chunk, which a later chunk at its offset replaces).
   */
  async finish(cursor: ChunkCursor | undefined, cursorMoved: boolean): Promise<void> {
    if (this.pending === 0 && !(cursor && cursorMoved)) return;
    const data = Buffer.concat(this.parts, this.pending);
    await this.put(data, cursor);
    this.parts = [];
    this.pending = 0;
  }

  private async put(data: Buffer, cursor?: ChunkCursor): Promise<void> {
    await this.store.putChunk(this.ref, this.executionUid, this.flushed, data, cursor);
    if (data.length > 0) this.onStored();
  }
}
