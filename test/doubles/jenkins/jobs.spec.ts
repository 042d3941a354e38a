import { aDouble, aJob, INSTANCE, type JenkinsHttp } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  ({ double, http } = await aDouble());
});
afterEach(() => double.stop());

const job = aJob([['echo hi']]);
const create = (name = 'web', xml = job.configXml) => http.post(`/createItem?name=${encodeURIComponent(name)}`, xml, 'application/xml');

describe('createItem', () => {
  it('creates a job from config.xml with 200', async () => {
    const res = await create();
    expect(res.status).toBe(200);
    expect((await http.get('/job/web/config.xml')).text).toBe(job.configXml);
  });

  it('answers 400 "A job already exists" for an existing name', async () => {
    await create();
    const res = await create();
    expect(res.status).toBe(400);
    expect(res.text).toContain('A job already exists with the name ‘web’');
  });

  it('answers 400 without a Content-Type', async () => {
    // A Buffer body: fetch adds no Content-Type of its own.
    const res = await http.request('POST', '/createItem?name=web', { body: Buffer.from(job.configXml) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('No Content-Type header set');
  });

  it('answers 400 without a name', async () => {
    const res = await http.post('/createItem', job.configXml, 'application/xml');
    expect(res.status).toBe(400);
    // Jetty's error page escapes the message.
    expect(res.text).toContain('Query parameter &apos;name&apos; is required');
  });

  it('refuses unsafe names', async () => {
    const res = await create('a/b');
    expect(res.status).toBe(400);
    expect(res.text).toContain('‘/’ is an unsafe character');
  });

  it('refuses malformed XML with a 5xx and creates nothing', async () => {
    const res = await create('web', '<flow-definition><script>');
    expect(res.status).toBe(500);
    expect((await http.get('/job/web/api/json')).status).toBe(404);
  });
});

describe('the root\'s jobs', () => {
  it('are summaries by default, and show any property of the job through tree=, as Jenkins exports them', async () => {
    await create('web-1');
    const plain = '<flow-definition plugin="workflow-job"><description>by hand</description></flow-definition>';
    await create('hand-made', plain);
    const summary = await http.json('/api/json');
    expect(summary.jobs).toEqual([
      { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web-1', url: `${double.url(INSTANCE)}/job/web-1/`, color: 'notbuilt' },
      { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'hand-made', url: `${double.url(INSTANCE)}/job/hand-made/`, color: 'notbuilt' },
    ]);
    const tree = await http.json('/api/json?tree=jobs[name,description]');
    expect(tree.jobs).toEqual([
      { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web-1', description: expect.stringMatching(/Managed by Keelson: changes here are overwritten\.$/) },
      { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'hand-made', description: 'by hand' },
    ]);
  });
});

describe('a job', () => {
  it('updates config.xml with POST and serves the new one', async () => {
    await create();
    const other = aJob([['echo other']], 'web-13').configXml;
    expect((await http.post('/job/web/config.xml', other, 'application/xml')).status).toBe(200);
    expect((await http.get('/job/web/config.xml')).text).toBe(other);
    expect((await http.post('/job/nope/config.xml', other, 'application/xml')).status).toBe(404);
  });

  it('exports the WorkflowJob shape with its parameter definitions', async () => {
    await create();
    const api = await http.json('/job/web/api/json');
    expect(api).toMatchObject({
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web', fullName: 'web', buildable: true, builds: [],
      color: 'notbuilt', inQueue: false, lastBuild: null, nextBuildNumber: 1, queueItem: null, concurrentBuild: true,
      url: `${double.url(INSTANCE)}/job/web/`,
    });
    expect(api.property).toContainEqual({
      _class: 'hudson.model.ParametersDefinitionProperty',
      parameterDefinitions: [{
        _class: 'hudson.model.StringParameterDefinition', name: 'EXECUTION_ID', type: 'StringParameterDefinition',
        description: 'PipelineExecution this build runs; set by Keelson.',
        defaultParameterValue: { _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: '' },
      }],
    });
    expect(api).not.toHaveProperty('allBuilds');
  });

  it('answers tree= with only the requested properties', async () => {
    await create();
    expect(await http.json('/job/web/api/json?tree=name,nextBuildNumber')).toEqual({ _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web', nextBuildNumber: 1 });
  });

  it('is deleted with POST doDelete, answered by a redirect to the root', async () => {
    await create();
    const res = await http.post('/job/web/doDelete');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${double.url(INSTANCE)}/`);
    expect((await http.get('/job/web/api/json')).status).toBe(404);
  });

  it('requires POST for doDelete', async () => {
    await create();
    expect((await http.get('/job/web/doDelete')).status).toBe(405);
  });

  it('refuses builds with 409 while disabled, through the fault control or the disable endpoint', async () => {
    await create();
    double.disableJob(INSTANCE, 'web');
    const res = await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12');
    expect(res.status).toBe(409);
    expect(res.text).toContain('web is not buildable');
    expect((await http.json('/job/web/api/json')).color).toBe('disabled');
    expect((await http.get('/job/web/config.xml')).text).toContain('<disabled>true</disabled>');
    expect((await http.post('/job/web/enable')).status).toBe(302);
    expect((await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12')).status).toBe(201);
    expect((await http.post('/job/web/disable')).status).toBe(302);
    expect((await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-13')).status).toBe(409);
  });

  it('answers 404 for an unknown job', async () => {
    expect((await http.get('/job/nope/api/json')).status).toBe(404);
    expect((await http.post('/job/nope/buildWithParameters')).status).toBe(404);
  });
});
