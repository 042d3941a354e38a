// Per-step logs: the flow nodes of a step's stage (stage view's stageFlowNodes, those with a log link) and each
// node's progressiveText, against fixtures shaped like the reference ("Stage view REST", "Console log streaming").
import { JenkinsEngineClient } from './jenkins-engine.client';
import { JenkinsFixtureServer } from './testing/jenkins-fixture.server';

const NODE_LOG = '/job/web/28/execution/node/14/log/logText/progressiveText';

async function text(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of body) parts.push(b);
  return Buffer.concat(parts).toString('utf8');
}

describe('Jenkins engine client: node logs', () => {
  let jenkins: JenkinsFixtureServer;
  const client = new JenkinsEngineClient();
  const endpoint = () => ({ url: jenkins.url, username: 'keelson', password: 'pw' });
  const ref = { job: 'web', queueItem: 130, number: 28 };

  beforeAll(async () => {
    jenkins = await JenkinsFixtureServer.start('/jenkins');
  });
  beforeEach(() => jenkins.reset());
  afterAll(() => jenkins.stop());

  it('lists the nodes of a stage that have a log, in the order they ran (retry attempts included)', async () => {
    const atom = (id: string, name: string, status: string, log: boolean) => ({
      _links: { self: { href: `/jenkins/job/web/28/execution/node/${id}/wfapi/describe` }, ...(log && { log: { href: `/jenkins/job/web/28/execution/node/${id}/wfapi/log` } }) },
      id, name, execNode: '', status, startTimeMillis: 1, durationMillis: 2, pauseDurationMillis: 0, parentNodes: ['11'],
    });
    jenkins.on('GET', '/job/web/28/execution/node/11/wfapi/describe', {
      status: 200,
      body: { id: '11', name: 'step-0-0 test', status: 'IN_PROGRESS', stageFlowNodes: [
        atom('22', 'Shell Script', 'IN_PROGRESS', true), atom('12', 'Write file to workspace', 'SUCCESS', false), atom('14', 'Shell Script', 'FAILED', true),
      ] },
    });
    expect(await client.logNodes(endpoint(), ref, '11')).toEqual([{ id: '14', status: 'FAILED' }, { id: '22', status: 'IN_PROGRESS' }]);
  });

  it('reads a node log from an offset, resuming at X-Text-Size (not the text length) with more while it runs', async () => {
    jenkins.on('GET', NODE_LOG, { status: 200, headers: { 'X-Text-Size': '180', 'X-More-Data': 'true' }, body: '+ make\nok\n' });
    const log = await client.readNodeLog(endpoint(), ref, '14', 95);
    expect({ nextOffset: log.nextOffset, more: log.more, text: await text(log.body) }).toEqual({ nextOffset: 180, more: true, text: '+ make\nok\n' });
    expect(jenkins.requests[0].query.get('start')).toBe('95');
  });

  it('says the node log ended when X-More-Data is absent, and streams a large gzipped body', async () => {
    const body = 'x'.repeat(99) + '\n';
    jenkins.on('GET', NODE_LOG, { status: 200, headers: { 'X-Text-Size': '200000' }, body: body.repeat(2000) });
    const log = await client.readNodeLog(endpoint(), ref, '14', 0);
    expect(log.more).toBe(false);
    expect(await text(log.body)).toBe(body.repeat(2000));
  });

  it('fails with NotFound for a node that does not exist, and BadResponse without X-Text-Size', async () => {
    await expect(client.readNodeLog(endpoint(), ref, '99', 0)).rejects.toMatchObject({ code: 'NotFound' });
    jenkins.on('GET', NODE_LOG, { status: 200, body: 'x' });
    await expect(client.readNodeLog(endpoint(), ref, '14', 0)).rejects.toMatchObject({ code: 'BadResponse' });
  });

  it('fails with Unreachable when Jenkins answers 503', async () => {
    jenkins.on('GET', NODE_LOG, { status: 503, body: 'Service Unavailable' });
    await expect(client.readNodeLog(endpoint(), ref, '14', 0)).rejects.toMatchObject({ code: 'Unreachable' });
  });
});
