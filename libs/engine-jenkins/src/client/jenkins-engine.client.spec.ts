// Jobs, credentials, starting builds and deleting jobs, against a fixture server replaying the reference's
// status codes and bodies ("Create and configure jobs", "Credentials", "Trigger, queue item and build number").
import { JenkinsEngineClient } from './jenkins-engine.client';
import { JenkinsFixtureServer } from './testing/jenkins-fixture.server';

const CONFIG = `<?xml version='1.1' encoding='UTF-8'?>
<flow-definition plugin="workflow-job">
  <description>web &amp; api</description>
  <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">
    <script>echo &apos;hi&apos;</script>
    <sandbox>true</sandbox>
  </definition>
</flow-definition>
`;

describe('Jenkins engine client: jobs, credentials, start', () => {
  let jenkins: JenkinsFixtureServer;
  const client = new JenkinsEngineClient();
  const endpoint = () => ({ url: jenkins.url, username: 'keelson', password: 'pw' });

  beforeAll(async () => {
    jenkins = await JenkinsFixtureServer.start('/jenkins');
  });
  beforeEach(() => {
    jenkins.reset();
    jenkins.csrf = { crumb: 'c', session: 'JSESSIONID.1=s' };
  });
  afterAll(() => jenkins.stop());

  describe('ensureJob', () => {
    it('creates a missing job with an XML body', async () => {
      jenkins.on('POST', '/createItem', { status: 200 });
      await client.ensureJob(endpoint(), { name: 'web', configXml: CONFIG });
      expect(jenkins.calls()).toEqual(['GET /job/web/config.xml', 'POST /createItem']);
      const create = jenkins.requests.find((r) => r.path === '/createItem');
      expect(create?.query.get('name')).toBe('web');
      expect(create?.headers['content-type']).toBe('application/xml');
      expect(create?.body).toBe(CONFIG);
    });

    it('costs one GET when Jenkins holds the same config, even as rewritten by Jenkins', async () => {
      const stored = CONFIG.replace("<?xml version='1.1' encoding='UTF-8'?>", '<?xml version="1.1" encoding="UTF-8"?>').replace(/&apos;/g, "'");
      jenkins.on('GET', '/job/web/config.xml', { status: 200, headers: { 'Content-Type': 'application/xml' }, body: stored });
      await client.ensureJob(endpoint(), { name: 'web', configXml: CONFIG });
      expect(jenkins.calls()).toEqual(['GET /job/web/config.xml']);
    });

    it('posts the new config.xml when the stored one differs', async () => {
      jenkins.on('GET', '/job/web/config.xml', { status: 200, body: CONFIG.replace('hi', 'old') });
      jenkins.on('POST', '/job/web/config.xml', { status: 200 });
      await client.ensureJob(endpoint(), { name: 'web', configXml: CONFIG });
      expect(jenkins.calls()).toEqual(['GET /job/web/config.xml', 'POST /job/web/config.xml']);
      expect(jenkins.requests.at(-1)?.body).toBe(CONFIG);
    });

    it('updates instead when someone created the job between the look and the create (400 already exists)', async () => {
      jenkins.on('POST', '/createItem', { status: 400, body: 'A job already exists with the name ‘web’' });
      jenkins.on('POST', '/job/web/config.xml', { status: 200 });
      await client.ensureJob(endpoint(), { name: 'web', configXml: CONFIG });
      expect(jenkins.calls()).toEqual(['GET /job/web/config.xml', 'POST /createItem', 'POST /job/web/config.xml']);
    });

    it('fails with BadRequest on any other 400', async () => {
      jenkins.on('POST', '/createItem', { status: 400, body: 'No Content-Type header set' });
      await expect(client.ensureJob(endpoint(), { name: 'web', configXml: CONFIG })).rejects.toMatchObject({ code: 'BadRequest', retryable: false });
    });

    it('creates a job inside a folder through the folder', async () => {
      jenkins.on('POST', '/job/team/createItem', { status: 200 });
      await client.ensureJob(endpoint(), { name: 'team/web', configXml: CONFIG });
      expect(jenkins.calls()).toEqual(['GET /job/team/job/web/config.xml', 'POST /job/team/createItem']);
    });
  });

  describe('ensureCredential', () => {
    const CREATE = '/credentials/store/system/domain/_/createCredentials';

    it('creates a username/password credential in the system store, every value XML-escaped', async () => {
      jenkins.on('POST', CREATE, { status: 200 });
      await client.ensureCredential(endpoint(), { id: 'git-<web>', description: 'a & b', username: 'd"eploy', password: "p<&>'" });
      const sent = jenkins.requests.find((r) => r.path === CREATE);
      expect(sent?.headers['content-type']).toBe('application/xml');
      expect(sent?.body).toBe([
        '<com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>',
        '  <scope>GLOBAL</scope>',
        '  <id>git-&lt;web&gt;</id>',
        '  <description>a &amp; b</description>',
        '  <username>d&quot;eploy</username>',
        '  <password>p&lt;&amp;&gt;&apos;</password>',
        '</com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>',
        '',
      ].join('\n'));
    });

    it('replaces the credential through its config.xml when the id exists (409)', async () => {
      jenkins.on('POST', CREATE, { status: 409, body: 'Credentials with the same ID already exist' });
      jenkins.on('POST', '/credentials/store/system/domain/_/credential/git-web/config.xml', { status: 200 });
      await client.ensureCredential(endpoint(), { id: 'git-web', username: 'u', password: 'p2' });
      expect(jenkins.calls()).toEqual([`POST ${CREATE}`, 'POST /credentials/store/system/domain/_/credential/git-web/config.xml']);
      expect(jenkins.requests.at(-1)?.body).toContain('<password>p2</password>');
    });

    it('refuses a value XML cannot carry without sending anything, and without echoing it', async () => {
      const error = await client.ensureCredential(endpoint(), { id: 'x', username: 'u', password: 'bad\u0000secret' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'InvalidInput' });
      expect((error as Error).message).not.toContain('secret');
      expect(jenkins.calls()).toEqual([]);
    });
  });

  describe('start', () => {
    const TRIGGER = '/job/web/buildWithParameters';

    it('queues a build with EXECUTION_ID as a form field and returns the queue item of the Location (201)', async () => {
      jenkins.on('POST', TRIGGER, { status: 201, headers: { Location: 'http://jenkins.example:8080/jenkins/queue/item/130/' } });
      expect(await client.start(endpoint(), 'web', 'web-12')).toEqual({ job: 'web', queueItem: 130 });
      const sent = jenkins.requests.find((r) => r.path === TRIGGER);
      expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(new URLSearchParams(sent?.body).get('EXECUTION_ID')).toBe('web-12');
    });

    it('returns the queue item already waiting when Jenkins answers 303 for a duplicate', async () => {
      jenkins.on('POST', TRIGGER, { status: 303, headers: { Location: 'http://jenkins.example:8080/jenkins/queue/item/130/' } });
      expect(await client.start(endpoint(), 'web', 'web-12')).toEqual({ job: 'web', queueItem: 130 });
    });

    it('fails when nothing was scheduled (302 to ".")', async () => {
      jenkins.on('POST', TRIGGER, { status: 302, headers: { Location: '.' } });
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'NothingScheduled', retryable: false });
    });

    it('fails with JobDisabled on 409', async () => {
      jenkins.on('POST', TRIGGER, { status: 409, body: 'web is not buildable' });
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'JobDisabled', retryable: false });
    });

    it('fails with NotParameterized on the 500 of a job without parameters', async () => {
      jenkins.on('POST', TRIGGER, { status: 500, body: 'java.lang.IllegalStateException: This build is not parameterized!' });
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'NotParameterized', retryable: false });
    });

    it('treats another 500 as retryable', async () => {
      jenkins.on('POST', TRIGGER, { status: 500, body: 'java.lang.NullPointerException' });
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'Unreachable', retryable: true });
    });

    it('fails with NotFound when the job does not exist', async () => {
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('fails with BadResponse when a 201 names no queue item', async () => {
      jenkins.on('POST', TRIGGER, { status: 201 });
      await expect(client.start(endpoint(), 'web', 'web-12')).rejects.toMatchObject({ code: 'BadResponse' });
    });
  });

  describe('deleteCredential', () => {
    it('posts doDelete on the credential of the system store', async () => {
      jenkins.on('POST', '/credentials/store/system/domain/_/credential/web-12-git/doDelete', { status: 302, headers: { Location: '../../' } });
      await client.deleteCredential(endpoint(), 'web-12-git');
      expect(jenkins.calls()).toEqual(['POST /credentials/store/system/domain/_/credential/web-12-git/doDelete']);
    });

    it('accepts a credential that is already gone (404), and reports any other refusal', async () => {
      await expect(client.deleteCredential(endpoint(), 'web-12-git')).resolves.toBeUndefined();
      jenkins.on('POST', '/credentials/store/system/domain/_/credential/web-13-git/doDelete', { status: 403 });
      await expect(client.deleteCredential(endpoint(), 'web-13-git')).rejects.toThrow(/deleting credential web-13-git/);
    });
  });

  describe('deleteJob', () => {
    it('posts doDelete', async () => {
      jenkins.on('POST', '/job/web/doDelete', { status: 302, headers: { Location: '../../' } });
      await client.deleteJob(endpoint(), 'web');
      expect(jenkins.calls()).toEqual(['POST /job/web/doDelete']);
    });

    it('accepts a job that is already gone (404)', async () => {
      await expect(client.deleteJob(endpoint(), 'web')).resolves.toBeUndefined();
    });
  });

  describe('listJobs', () => {
    it('asks the root for each job\'s name and description, and tells Keelson\'s jobs by the description', async () => {
      jenkins.on('GET', '/api/json', {
        status: 200, headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          _class: 'hudson.model.Hudson',
          jobs: [
            { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web-3', description: 'Keelson pipeline demo/web. Managed by Keelson: changes here are overwritten.' },
            { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'hand-made', description: null },
            { _class: 'hudson.model.FreeStyleProject', name: 'claims-it', description: 'Managed by Keelson: changes here are overwritten. Not really.' },
          ],
        }),
      });
      expect(await client.listJobs(endpoint())).toEqual([
        { name: 'web-3', managed: true }, { name: 'hand-made', managed: false }, { name: 'claims-it', managed: false },
      ]);
      expect(jenkins.requests.at(-1)?.query.get('tree')).toBe('jobs[name,description]');
    });

    it('fails with the status when Jenkins refuses', async () => {
      jenkins.on('GET', '/api/json', { status: 503, body: 'starting' });
      await expect(client.listJobs(endpoint())).rejects.toThrow(/listing jobs/);
    });
  });
});
