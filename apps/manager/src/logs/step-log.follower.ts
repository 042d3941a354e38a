// One step's log, from Jenkins to MinIO: its flow nodes (one `sh` per attempt) are read in order, each from where
// the last stored chunk says Jenkins was read (chunk metadata: node, next offset, done), masked, and written as
// chunks. Nothing is kept between polls but those chunks, so another worker or a restarted manager continues at
// the same byte: neither lost nor doubled.
import type { EngineBuildRef, EngineEndpoint, EngineLogNode, ExecutionEngine } from '@keelson/engine-jenkins';
import { SecretMasker, type ChunkCursor, type MinioLogStore, type SecretSource, type StepLogRef, type StoredChunk } from '@keelson/logs';
import { ChunkWriter } from './chunk-writer';

export interface StepFollowInput {
  store: MinioLogStore;
  engine: ExecutionEngine;
  endpoint: EngineEndpoint;
  build: EngineBuildRef;
  ref: StepLogRef;
  executionUid: string;
  /** Jenkins id of the step's stage. */
  stageId: string;
  secrets: readonly SecretSource[];
  onStored(): void;
  /** Largest chunk object (default 1 MiB) and longest line held back whole by the masker (default 1 MiB). */
  chunkBytes?: number;
  maxLineBytes?: number;
}

export interface StepFollowResult {
  /** Bytes stored by this call. */
  stored: number;
  /** Every log node of the step has ended and was read to its end. */
  drained: boolean;
}

/** Where to go on: the last chunk that carries a cursor, and the stored offset after it. */
export async function resumePoint(store: MinioLogStore, chunks: StoredChunk[]): Promise<{ cursor?: ChunkCursor; offset: number }> {
  for (let i = chunks.length - 1; i >= 0; i--) {
    const cursor = await store.chunkCursor(chunks[i]);
    if (cursor) return { cursor, offset: chunks[i].offset + chunks[i].size };
  }
  return { offset: 0 };
}

export async function followStep(input: StepFollowInput): Promise<StepFollowResult> {
  const { store, engine, endpoint, build, ref } = input;
  const start = await resumePoint(store, await store.chunks(ref));
  const nodes = await engine.logNodes(endpoint, build, input.stageId);
  let offset = start.offset;
  let drained = true;
  for (const node of remaining(nodes, start.cursor)) {
    const from = start.cursor?.node === node.id ? start.cursor.next : 0;
    const log = await engine.readNodeLog(endpoint, build, node.id, from);
    const { masker } = SecretMasker.for(input.secrets, { maxLineBytes: input.maxLineBytes });
    const writer = new ChunkWriter(store, ref, input.executionUid, offset, input.onStored, input.chunkBytes);
    try {
      for await (const data of log.body) await writer.write(masker.push(data));
    } finally {
      log.body.destroy();
    }
    const done = !log.more;
    if (done) await writer.write(masker.end());
    // While a node runs Jenkins sends whole lines only; should a line still be cut, its start is written but the
    // cursor stays where it was, so the next poll reads the line again whole (rewriting the same chunks).
    const cut = !done && masker.held > 0;
    const cursor = cut ? undefined : { node: node.id, next: log.nextOffset, done };
    await writer.finish(cursor, !cut && (from !== log.nextOffset || done));
    if (!cut) offset = writer.offset;
    if (!done) {
      drained = false;
      break; // the next attempt has not started while this one runs
    }
  }
  return { stored: offset - start.offset, drained };
}

/** The nodes still to read: from the cursor's node on (not it, when it is done), by id order. */
function remaining(nodes: EngineLogNode[], cursor: ChunkCursor | undefined): EngineLogNode[] {
  if (!cursor) return nodes;
  const at = Number(cursor.node);
  return nodes.filter((n) => Number(n.id) > at || (n.id === cursor.node && !cursor.done));
}
