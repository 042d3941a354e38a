// When a step's lines were stored (docs/logs.md, "Times"), against a real MinIO: the chunks' LastModified comes
// from the listing to the millisecond, a live log's marks are counted over its chunks, sealing writes them as
// the `times` object before the index, and a log sealed before times were kept answers none.
import { Client } from 'minio';
import { EXECUTION_UID_METADATA, indexKey, LOGS_BUCKET, MinioLogStore, timesKey, type StepLogRef } from '@keelson/logs';
import { MinioServer } from '@keelson/servers';

let minio: MinioServer;
let s3: Client;
let store: MinioLogStore;
let run = 0;

beforeAll(async () => {
  minio = await MinioServer.start();
  s3 = new Client({ endPoint: '127.0.0.1', port: minio.port, useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey, region: 'us-east-1' });
  store = new MinioLogStore({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey }, { timeoutMs: 5_000 });
}, 60_000);
afterAll(() => minio?.stop());

const step = (): StepLogRef => ({ namespace: 'demo', pipeline: 'web', run: ++run, stage: 0, step: 0 });
/** Chunks written in different seconds: the store keeps at most one mark per second. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1_100));

/** Writes `texts` as consecutive chunks, one second apart. */
async function chunks(ref: StepLogRef, texts: string[]): Promise<void> {
  let offset = 0;
  for (const [i, text] of texts.entries()) {
    if (i > 0) await nextSecond();
    await store.putChunk(ref, 'uid-1', offset, Buffer.from(text));
    offset += Buffer.byteLength(text);
  }
}

it('lists each chunk with the time MinIO stored it, to the millisecond', async () => {
  const ref = step();
  const before = Date.now();
  for (let i = 0; i < 4; i++) await store.putChunk(ref, 'uid-1', i * 2, Buffer.from(`${i}\n`));
  const after = Date.now();
  const listed = await store.chunks(ref);
  expect(listed).toHaveLength(4);
  for (const c of listed) {
    // Same machine, same clock (a second of slack for MinIO rounding on write).
    expect(c.time).toBeGreaterThanOrEqual(before - 1_000);
    expect(c.time).toBeLessThanOrEqual(after + 1_000);
  }
  // Whole seconds for all four would mean the listing dropped the milliseconds (a 1-in-10^12 coincidence otherwise).
  expect(listed.some((c) => c.time! % 1000 !== 0)).toBe(true);
});

it('marks the first line starting in each chunk with its time, live and once sealed (times written before the index)', async () => {
  const ref = step();
  // Line 2 starts in chunk 0 and ends in chunk 1; line 3 is the first to start in chunk 1; chunk 2 ends without a newline.
  await chunks(ref, ['one\ntw', 'o\nthree\n', 'four\nfive']);
  const listed = await store.chunks(ref);
  const expected = [{ line: 1, time: listed[0].time }, { line: 3, time: listed[1].time }, { line: 4, time: listed[2].time }];

  const live = await store.lineIndex(ref);
  expect(live).toMatchObject({ sealed: false, lines: 5, offsets: [0] });
  expect(live.times).toEqual(expected);

  await store.seal(ref, 'uid-1');
  const sealed = await store.lineIndex(ref);
  expect(sealed).toMatchObject({ sealed: true, lines: 5, offsets: [0] });
  expect(sealed.times).toEqual(expected);

  const times = await s3.statObject(LOGS_BUCKET, timesKey(ref));
  expect(times.metaData[EXECUTION_UID_METADATA]).toBe('uid-1'); // the garbage collector finds it like the others
  const index = await s3.statObject(LOGS_BUCKET, indexKey(ref));
  expect(times.lastModified.getTime()).toBeLessThanOrEqual(index.lastModified.getTime());
  expect(await store.chunks(ref)).toEqual([]);
}, 30_000);

it('keeps one mark per second: chunks stored within the same second as the last mark add none', async () => {
  const ref = step();
  await store.putChunk(ref, 'uid-1', 0, Buffer.from('a\n'));
  await store.putChunk(ref, 'uid-1', 2, Buffer.from('b\n'));
  const [first, second] = await store.chunks(ref);
  const index = await store.lineIndex(ref);
  // Either both in one second (one mark), or across a second boundary (two): never a mark in the same second.
  const sameSecond = Math.floor(first.time! / 1000) === Math.floor(second.time! / 1000);
  expect(index.times).toEqual(sameSecond ? [{ line: 1, time: first.time }] : [{ line: 1, time: first.time }, { line: 2, time: second.time }]);
});

it('answers no marks for a log sealed before times were kept, and none for an empty log', async () => {
  const old = step();
  await chunks(old, ['a\n', 'b\n']);
  await store.seal(old, 'uid-1');
  await s3.removeObject(LOGS_BUCKET, timesKey(old)); // as a log sealed by an earlier manager
  expect(await store.lineIndex(old)).toMatchObject({ sealed: true, lines: 2, offsets: [0], times: [] });

  const empty = step();
  await store.seal(empty, 'uid-1');
  expect(await store.lineIndex(empty)).toMatchObject({ sealed: true, lines: 0, offsets: [], times: [] });
  expect((await s3.statObject(LOGS_BUCKET, timesKey(empty))).size).toBe(0);
}, 30_000);
