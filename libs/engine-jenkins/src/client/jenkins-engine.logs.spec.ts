// Reading logs, against a fixture server replaying the reference's "Console log streaming" headers (X-Text-Size,
// X-More-Data present only while running, gzip above 4096 bytes) and the "Stage view REST" node log.
import { nodeLog } from './testing/jenkins-api.fixtures';
import { JenkinsEngineClient } from './jenkins-engine.client';
import { JenkinsFixtureServer } from './testing/jenkins-fixture.server';

const LOG = '/job/web/28/logText/progressiveText';

describe('Jenkins engine client: logs', () => {
  let jenkins: JenkinsFixtureServer;
  const client = new JenkinsEngineClient();
  const endpoint = () => ({ url: jenkins.url, username: 'keelson', password: 'pw' });
  const ref = { job: 'web', queueItem: 130, number: 28 };

  beforeAll(async () => {
    jenkins = await JenkinsFixtureServer.start('/jenkins');
  });
  beforeEach(() => jenkins.reset());
  afterAll(() => jenkins.stop());

  it('reads from the offset and reports more while X-More-Data is true', async () => {
    jenkins.on('GET', LOG, { status: 200, headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'X-Text-Size': '42', 'X-More-Data': 'true' }, body: 'Started by user keelson\n' });
    expect(await client.readLog(endpoint(), ref, 18)).toEqual({ text: 'Started by user keelson\n', nextOffset: 42, more: true });
    expect(jenkins.requests[0].query.get('start')).toBe('18');
  });

  it('reports the end when X-More-Data is absent, as Jenkins sends nothing once the build is done', async () => {
    jenkins.on('GET', LOG, { status: 200, headers: { 'X-Text-Size': '60' }, body: 'Finished: SUCCESS\n' });
    expect(await client.readLog(endpoint(), ref, 42)).toEqual({ text: 'Finished: SUCCESS\n', nextOffset: 60, more: false });
  });

  it('reads an empty chunk with more to come before the log file exists (X-Text-Size 0)', async () => {
    jenkins.on('GET', LOG, { status: 200, headers: { 'X-Text-Size': '0', 'X-More-Data': 'true' }, body: '' });
    expect(await client.readLog(endpoint(), ref, 0)).toEqual({ text: '', nextOffset: 0, more: true });
  });

  it('reads a gzipped chunk larger than 4096 bytes', async () => {
    const text = 'line of output\n'.repeat(1000);
    jenkins.on('GET', LOG, { status: 200, headers: { 'X-Text-Size': String(text.length) }, body: text });
    const chunk = await client.readLog(endpoint(), ref, 0);
    expect(chunk.text).toBe(text);
    expect(jenkins.requests[0].headers['accept-encoding']).toContain('gzip');
  });

  it('fails with BadResponse without X-Text-Size', async () => {
    jenkins.on('GET', LOG, { status: 200, body: 'x' });
    await expect(client.readLog(endpoint(), ref, 0)).rejects.toMatchObject({ code: 'BadResponse' });
  });

  it('fails with NotFound when the build is gone', async () => {
    await expect(client.readLog(endpoint(), ref, 0)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('reads nothing yet for a build still in the queue, without asking Jenkins', async () => {
    expect(await client.readLog(endpoint(), { job: 'web', queueItem: 130 }, 0)).toEqual({ text: '', nextOffset: 0, more: true });
    expect(jenkins.requests).toHaveLength(0);
  });

  it('reads a step log with its HTML escaping undone and says when it was cut to the last 10 KiB', async () => {
    jenkins.on('GET', '/job/web/28/execution/node/6/wfapi/log', { status: 200, body: nodeLog('web', 28, '6', '+ test 1 &lt; 2 &amp;&amp; echo &quot;ok&quot;\nok\n', true, 20480) });
    expect(await client.readStepLog(endpoint(), ref, '6')).toEqual({
      nodeId: '6', status: 'SUCCESS', length: 20480, hasMore: true, text: '+ test 1 < 2 && echo "ok"\nok\n', consoleUrl: '/jenkins/job/web/28/execution/node/6/log',
    });
  });

  it('reads an empty text for a stage node, which has no log', async () => {
    jenkins.on('GET', '/job/web/28/execution/node/5/wfapi/log', { status: 200, body: nodeLog('web', 28, '5', undefined, false, 0) });
    expect(await client.readStepLog(endpoint(), ref, '5')).toMatchObject({ text: '', hasMore: false });
  });
});
