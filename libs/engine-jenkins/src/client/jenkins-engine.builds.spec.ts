// Finding, describing, stopping and answering builds, against a fixture server replaying the reference's
// payloads: queue items and their 5-minute expiry ("Trigger, queue item and build number"), RunExt and
// StatusExt ("Stage view REST"), "Stop" and "Input step".
import {
  build, cancelledItem, jobBuilds, leftItem, pendingInputActions, queue, runExt, waitingItem,
} from './testing/jenkins-api.fixtures';
import { JenkinsEngineClient } from './jenkins-engine.client';
import { JenkinsFixtureServer } from './testing/jenkins-fixture.server';

const BUILDS = '/job/web/api/json';

describe('Jenkins engine client: builds', () => {
  let jenkins: JenkinsFixtureServer;
  const client = new JenkinsEngineClient();
  const endpoint = () => ({ url: jenkins.url, username: 'keelson', password: 'pw' });

  beforeAll(async () => {
    jenkins = await JenkinsFixtureServer.start('/jenkins');
  });
  beforeEach(() => {
    jenkins.reset();
    jenkins.on('GET', '/queue/api/json', { status: 200, body: queue() });
    jenkins.on('GET', BUILDS, { status: 200, body: jobBuilds([]) });
  });
  afterAll(() => jenkins.stop());

  describe('findBuild', () => {
    it('reads the build number from the queue item that has left the queue', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: leftItem(130, 'web', 'web-12', 28) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12', { job: 'web', queueItem: 130 })).toEqual({ job: 'web', queueItem: 130, number: 28 });
      expect(jenkins.calls()).toEqual(['GET /queue/item/130/api/json']);
    });

    it('returns the ref without a number while the item still waits', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: waitingItem(130, 'web', 'web-12') });
      expect(await client.findBuild(endpoint(), 'web', 'web-12', { job: 'web', queueItem: 130 })).toEqual({ job: 'web', queueItem: 130 });
    });

    it('finds nothing for a cancelled queue item', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: cancelledItem(130, 'web', 'web-12') });
      expect(await client.findBuild(endpoint(), 'web', 'web-12', { job: 'web', queueItem: 130 })).toBeUndefined();
    });

    it('finds the build by its EXECUTION_ID once the left item expired (404 after 5 minutes)', async () => {
      jenkins.on('GET', BUILDS, { status: 200, body: jobBuilds([{ number: 29, queueId: 131, executionId: 'web-13' }, { number: 28, queueId: 130, executionId: 'web-12' }, { number: 27, queueId: 120 }]) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12', { job: 'web', queueItem: 130 })).toEqual({ job: 'web', queueItem: 130, number: 28 });
      expect(jenkins.calls()).toEqual(['GET /queue/item/130/api/json', 'GET /queue/api/json', `GET ${BUILDS}`]);
      expect(jenkins.requests.at(-1)?.query.get('tree')).toBe('builds[number,queueId,actions[parameters[name,value]]]{0,50}');
    });

    it('does not take a queue item that carries another execution id (queue ids restart with Jenkins)', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: leftItem(130, 'web', 'web-99', 40) });
      jenkins.on('GET', BUILDS, { status: 200, body: jobBuilds([{ number: 28, queueId: 7, executionId: 'web-12' }]) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12', { job: 'web', queueItem: 130 })).toEqual({ job: 'web', queueItem: 7, number: 28 });
    });

    it('without a hint finds an item of this job still in the queue by its params', async () => {
      jenkins.on('GET', '/queue/api/json', { status: 200, body: queue(waitingItem(140, 'api', 'web-12'), waitingItem(141, 'web', 'web-120'), waitingItem(142, 'web', 'web-12')) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12')).toEqual({ job: 'web', queueItem: 142 });
    });

    it('also reads params written as NAME=\'value\'', async () => {
      const item = { ...waitingItem(142, 'web', 'web-12'), params: "\nEXECUTION_ID='web-12'" };
      jenkins.on('GET', '/queue/api/json', { status: 200, body: queue({ ...item, id: 141, params: "\nEXECUTION_ID='web-120'" }, item) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12')).toEqual({ job: 'web', queueItem: 142 });
    });

    it('without a hint finds nothing when neither the queue nor the builds carry the id', async () => {
      jenkins.on('GET', BUILDS, { status: 200, body: jobBuilds([{ number: 28, queueId: 130, executionId: 'web-120' }]) });
      expect(await client.findBuild(endpoint(), 'web', 'web-12')).toBeUndefined();
      expect(jenkins.calls()).toEqual(['GET /queue/api/json', `GET ${BUILDS}`]);
    });

    it('finds nothing when the job does not exist', async () => {
      jenkins.on('GET', BUILDS, { status: 404, body: 'Not Found' });
      expect(await client.findBuild(endpoint(), 'web', 'web-12')).toBeUndefined();
    });
  });

  describe('describe', () => {
    it('reports a waiting item as queued with its why', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: waitingItem(130, 'web', 'web-12', 'Waiting for next available executor') });
      expect(await client.describe(endpoint(), { job: 'web', queueItem: 130 })).toEqual({
        ref: { job: 'web', queueItem: 130 }, state: 'queued', reason: 'Waiting for next available executor', stages: [], pendingInputs: [],
      });
    });

    it('reports a running build with its stages as the stage view names them', async () => {
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, null) });
      jenkins.on('GET', '/job/web/28/wfapi/describe', { status: 200, body: runExt('web', 28, 'IN_PROGRESS', [
        { id: '6', name: 'checkout', status: 'SUCCESS' }, { id: '14', name: 'stage-0 test', status: 'IN_PROGRESS' },
      ]) });
      const state = await client.describe(endpoint(), { job: 'web', queueItem: 130, number: 28 });
      expect(state).toMatchObject({ state: 'running', startTimeMillis: 1700000011000, pendingInputs: [] });
      expect(state.result).toBeUndefined();
      expect(state.stages).toEqual([
        { name: 'checkout', id: '6', status: 'SUCCESS', startTimeMillis: 1700000012000, durationMillis: 900 },
        { name: 'stage-0 test', id: '14', status: 'IN_PROGRESS', startTimeMillis: 1700000013000, durationMillis: 900 },
      ]);
      expect(jenkins.calls()).not.toContain('GET /job/web/28/wfapi/pendingInputActions');
    });

    it('follows the queue item to the build once it started', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: leftItem(130, 'web', 'web-12', 28) });
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, 'FAILURE') });
      jenkins.on('GET', '/job/web/28/wfapi/describe', { status: 200, body: runExt('web', 28, 'FAILED', [
        { id: '14', name: 'stage-0 test', status: 'FAILED', error: { message: 'script returned exit code 1', type: 'hudson.AbortException' } },
      ]) });
      const state = await client.describe(endpoint(), { job: 'web', queueItem: 130 });
      expect(state).toMatchObject({ ref: { job: 'web', queueItem: 130, number: 28 }, state: 'finished', result: 'FAILURE', durationMillis: 81234 });
      expect(state.stages[0]).toMatchObject({ status: 'FAILED', error: 'script returned exit code 1' });
    });

    it('finds the build by its queue id when the left item has expired', async () => {
      jenkins.on('GET', BUILDS, { status: 200, body: jobBuilds([{ number: 28, queueId: 130, executionId: 'web-12' }]) });
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, 'SUCCESS') });
      jenkins.on('GET', '/job/web/28/wfapi/describe', { status: 200, body: runExt('web', 28, 'SUCCESS', []) });
      expect(await client.describe(endpoint(), { job: 'web', queueItem: 130 })).toMatchObject({ ref: { number: 28 }, state: 'finished', result: 'SUCCESS' });
    });

    it('reports a cancelled queue item as finished and aborted', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: cancelledItem(130, 'web', 'web-12') });
      expect(await client.describe(endpoint(), { job: 'web', queueItem: 130 })).toMatchObject({ state: 'finished', result: 'ABORTED' });
    });

    it('lists the pending inputs when the run waits for one', async () => {
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, null) });
      jenkins.on('GET', '/job/web/28/wfapi/describe', { status: 200, body: runExt('web', 28, 'PAUSED_PENDING_INPUT', [{ id: '20', name: 'step-1-0 approve', status: 'PAUSED_PENDING_INPUT' }]) });
      jenkins.on('GET', '/job/web/28/wfapi/pendingInputActions', { status: 200, body: pendingInputActions('web', 28, 'Approval-1-0', 'Deploy to production?') });
      const state = await client.describe(endpoint(), { job: 'web', number: 28 });
      expect(state.pendingInputs).toEqual([{ id: 'Approval-1-0', message: 'Deploy to production?' }]);
      expect(state.ref.queueItem).toBe(130);
    });

    it('reports a build Jenkins no longer knows (404) as lost', async () => {
      expect(await client.describe(endpoint(), { job: 'web', number: 28 })).toMatchObject({ state: 'lost', reason: expect.stringContaining('#28') });
    });

    it('reports a queue item that expired without a build as lost', async () => {
      expect(await client.describe(endpoint(), { job: 'web', queueItem: 130 })).toMatchObject({ state: 'lost' });
    });

    it('refuses a ref with neither queue item nor number', async () => {
      await expect(client.describe(endpoint(), { job: 'web' })).rejects.toMatchObject({ code: 'InvalidInput' });
    });
  });

  describe('stop', () => {
    it('cancels a queued item', async () => {
      let cancelled = false;
      jenkins.on('GET', '/queue/item/130/api/json', () => ({ status: 200, body: cancelled ? cancelledItem(130, 'web', 'web-12') : waitingItem(130, 'web', 'web-12') }));
      jenkins.on('POST', '/queue/cancelItem', (r) => {
        cancelled = r.query.get('id') === '130';
        return { status: 302, headers: { Location: '.' } };
      });
      await client.stop(endpoint(), { job: 'web', queueItem: 130 });
      expect(cancelled).toBe(true);
    });

    it('stops the build when the item started between the look and the cancel', async () => {
      let started = false;
      jenkins.on('GET', '/queue/item/130/api/json', () => ({ status: 200, body: started ? leftItem(130, 'web', 'web-12', 28) : waitingItem(130, 'web', 'web-12') }));
      jenkins.on('POST', '/queue/cancelItem', () => {
        started = true;
        return { status: 404, body: 'Not Found' };
      });
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, null) });
      jenkins.on('POST', '/job/web/28/stop', { status: 302, headers: { Location: '.' } });
      await client.stop(endpoint(), { job: 'web', queueItem: 130 });
      expect(jenkins.calls()).toContain('POST /job/web/28/stop');
    });

    it('stops the build when Jenkins refuses to cancel an item that has already left (500)', async () => {
      let cancelTried = false;
      jenkins.on('GET', '/queue/item/130/api/json', () => ({ status: 200, body: cancelTried ? leftItem(130, 'web', 'web-12', 28) : waitingItem(130, 'web', 'web-12') }));
      jenkins.on('POST', '/queue/cancelItem', () => {
        cancelTried = true;
        return { status: 500, body: 'java.lang.IllegalStateException: not cancellable' };
      });
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, null) });
      jenkins.on('POST', '/job/web/28/stop', { status: 302, headers: { Location: '.' } });
      await client.stop(endpoint(), { job: 'web', queueItem: 130 });
      expect(jenkins.calls().at(-1)).toBe('POST /job/web/28/stop');
    });

    it('fails when the cancel fails and the item still waits', async () => {
      jenkins.on('GET', '/queue/item/130/api/json', { status: 200, body: waitingItem(130, 'web', 'web-12') });
      jenkins.on('POST', '/queue/cancelItem', { status: 403, body: 'keelson is missing the Job/Cancel permission' });
      await expect(client.stop(endpoint(), { job: 'web', queueItem: 130 })).rejects.toMatchObject({ code: 'Forbidden' });
    });

    it('stops a running build', async () => {
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, null) });
      jenkins.on('POST', '/job/web/28/stop', { status: 200 });
      await client.stop(endpoint(), { job: 'web', queueItem: 130, number: 28 });
      expect(jenkins.calls()).toEqual(['GET /job/web/28/api/json', 'POST /job/web/28/stop']);
    });

    it('does nothing to a finished build', async () => {
      jenkins.on('GET', '/job/web/28/api/json', { status: 200, body: build('web', 28, 130, 'SUCCESS') });
      await client.stop(endpoint(), { job: 'web', number: 28 });
      expect(jenkins.calls()).toEqual(['GET /job/web/28/api/json']);
    });
  });

  describe('answerInput', () => {
    it('proceeds with proceedEmpty, capitalising the id as Jenkins does', async () => {
      jenkins.on('POST', '/job/web/28/input/Approval-1-0/proceedEmpty', { status: 200 });
      await client.answerInput(endpoint(), { job: 'web', number: 28 }, 'approval-1-0', 'proceed');
      expect(jenkins.calls()).toEqual(['POST /job/web/28/input/Approval-1-0/proceedEmpty']);
    });

    it('aborts with the id as Jenkins reports it', async () => {
      jenkins.on('POST', '/job/web/28/input/Approval-1-0/abort', { status: 302, headers: { Location: '../../' } });
      await client.answerInput(endpoint(), { job: 'web', number: 28 }, 'Approval-1-0', 'abort');
      expect(jenkins.calls()).toEqual(['POST /job/web/28/input/Approval-1-0/abort']);
    });

    it('fails with InputNotPending when no such input waits', async () => {
      await expect(client.answerInput(endpoint(), { job: 'web', number: 28 }, 'Approval-1-0', 'proceed')).rejects.toMatchObject({ code: 'InputNotPending' });
    });

    it('refuses a build that has no number yet', async () => {
      await expect(client.answerInput(endpoint(), { job: 'web', queueItem: 130 }, 'Approval-1-0', 'proceed')).rejects.toMatchObject({ code: 'InvalidInput' });
    });
  });
});
