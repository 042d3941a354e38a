// The log objects adapter against a real MinIO: listing with each object's execution-uid (MinIO's metadata
// listing, one request per 1000 keys), deleting in batches, and "nothing stored" for a bucket not made yet or a
// MinIO whose name does not resolve.
import { Client } from 'minio';
import { EXECUTION_UID_METADATA, LOGS_BUCKET, MinioLogObjects, type LogObject } from '@keelson/logs';
import { MinioServer } from '@keelson/servers';

let minio: MinioServer;
let s3: Client;
let objects: MinioLogObjects;

beforeAll(async () => {
  minio = await MinioServer.start();
  s3 = new Client({ endPoint: '127.0.0.1', port: minio.port, useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey, region: 'us-east-1' });
  objects = new MinioLogObjects({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey }, { timeoutMs: 5_000 });
}, 60_000);
afterAll(() => minio?.stop());

async function all(prefix: string, from = objects): Promise<LogObject[]> {
  const out: LogObject[] = [];
  for await (const o of from.list(prefix)) out.push(o);
  return out;
}

it('lists nothing before the bucket exists', async () => {
  expect(await all('demo/')).toEqual([]);
});

it('lists every object under a prefix with its execution uid, across pages, and deletes them in batches', async () => {
  await s3.makeBucket(LOGS_BUCKET, 'us-east-1');
  const keys = Array.from({ length: 1203 }, (_, i) => `demo/web/1/0/0/chunks/${String(i).padStart(16, '0')}`);
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((key) => s3.putObject(LOGS_BUCKET, key, Buffer.from('x'), 1, { [EXECUTION_UID_METADATA]: '0e5' })));
  }
  await s3.putObject(LOGS_BUCKET, 'demo/web/2/0/0/log', Buffer.from('no uid'), 6);
  await s3.putObject(LOGS_BUCKET, 'other/web/1/0/0/log', Buffer.from('x'), 1, { [EXECUTION_UID_METADATA]: 'u-other' });

  const listed = await all('demo/');
  expect(listed).toHaveLength(1204);
  // A uid that reads like a number stays text.
  expect(listed.filter((o) => o.executionUid === '0e5')).toHaveLength(1203);
  expect(listed.find((o) => o.key === 'demo/web/2/0/0/log')).toEqual({ key: 'demo/web/2/0/0/log', size: 6, lastModified: expect.any(Date) });

  expect(await objects.remove([...keys, 'demo/never-written'])).toBe(1204);
  expect((await all('demo/')).map((o) => o.key)).toEqual(['demo/web/2/0/0/log']);
  expect((await all('other/')).map((o) => o.key)).toEqual(['other/web/1/0/0/log']);
}, 60_000);

it('lists nothing for a MinIO whose name does not resolve (no data plane), and fails, retryable, for one that does not answer', async () => {
  const nowhere = new MinioLogObjects({ url: 'http://minio.keelson-test.invalid:9000', accessKey: 'a', secretKey: 'b' });
  expect(await all('demo/', nowhere)).toEqual([]);
  const closed = new MinioLogObjects({ url: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b' });
  await expect(all('demo/', closed)).rejects.toMatchObject({ name: 'LogError', code: 'Unavailable', retryable: true });
});
