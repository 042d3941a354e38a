import type { FakeClock } from '@keelson/kube';
import { aDouble, aJob, INSTANCE, type JenkinsHttp } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let http: JenkinsHttp;
let clock: FakeClock;
let root: string;

beforeEach(async () => {
  ({ double, http, clock } = await aDouble({ quietPeriodSeconds: 5 }));
  root = double.url(INSTANCE);
  await http.post('/createItem?name=web', aJob([['sleep 60']]).configXml, 'application/xml');
});
afterEach(() => double.stop());

const trigger = (id = 'web-12', extra = '') => http.post(`/job/web/buildWithParameters?EXECUTION_ID=${id}${extra}`);
const itemId = (location: string | null) => Number(/\/queue\/item\/(\d+)\/$/.exec(location ?? '')?.[1]);

describe('buildWithParameters', () => {
  it('answers 201 with the absolute Location of a new queue item', async () => {
    const res = await trigger();
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${root}/queue/item/\\d+/$`));
  });

  it('answers 303 with the same Location while an identical item is still queued', async () => {
    const first = await trigger();
    const again = await trigger();
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    // Other parameters make another item.
    const other = await trigger('web-13');
    expect(other.status).toBe(201);
    expect(other.headers.get('location')).not.toBe(first.headers.get('location'));
  });

  it('queues a new item for the same parameters once the first one has left the queue', async () => {
    const first = await trigger();
    await double.advance(5000);
    const second = await trigger();
    expect(second.status).toBe(201);
    expect(itemId(second.headers.get('location'))).toBeGreaterThan(itemId(first.headers.get('location')));
  });

  it('answers 500 for a job without parameters', async () => {
    const plain = '<?xml version=\'1.1\' encoding=\'UTF-8\'?><flow-definition><definition><script>x</script></definition></flow-definition>';
    await http.post('/createItem?name=plain', plain, 'application/xml');
    const res = await http.post('/job/plain/buildWithParameters');
    expect(res.status).toBe(500);
    expect(res.text).toContain('This build is not parameterized!');
    expect((await http.post('/job/plain/build')).status).toBe(201);
  });

  it('honours delay= over the quiet period', async () => {
    const res = await trigger('web-12', '&delay=0sec');
    await double.idle();
    const item = await http.json(`/queue/item/${itemId(res.headers.get('location'))}/api/json`);
    expect(item._class).toBe('hudson.model.Queue$LeftItem');
  });

  it('takes a build request through /build with the json form', async () => {
    const form = new URLSearchParams({ json: JSON.stringify({ parameter: [{ name: 'EXECUTION_ID', value: 'web-12' }] }) });
    const res = await http.post('/job/web/build?delay=0sec', form.toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(201);
    await double.idle();
    expect(double.builds(INSTANCE)).toEqual([expect.objectContaining({ job: 'web', number: 1, params: { EXECUTION_ID: 'web-12' } })]);
  });
});

describe('a queue item', () => {
  it('is a WaitingItem during the quiet period, then a LeftItem with its executable', async () => {
    const id = itemId((await trigger()).headers.get('location'));
    const waiting = await http.json(`/queue/item/${id}/api/json`);
    expect(waiting).toEqual({
      _class: 'hudson.model.Queue$WaitingItem',
      actions: [
        { _class: 'hudson.model.ParametersAction', parameters: [{ _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: 'web-12' }] },
        { _class: 'hudson.model.CauseAction', causes: [{ _class: 'hudson.model.Cause$UserIdCause', shortDescription: 'Started by user keelson-manager', userId: 'keelson-manager', userName: 'keelson-manager' }] },
      ],
      blocked: false, buildable: false, id, inQueueSince: clock.now(), params: "\nEXECUTION_ID='web-12'", stuck: false,
      task: { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: 'web', url: `${root}/job/web/`, color: 'notbuilt' },
      url: `queue/item/${id}/`, why: 'In the quiet period. Expires in 5 sec 0 ms'.replace(' 0 ms', ''), timestamp: clock.now() + 5000,
    });
    await double.advance(5000);
    const left = await http.json(`/queue/item/${id}/api/json`);
    expect(left).toMatchObject({
      _class: 'hudson.model.Queue$LeftItem', id, why: null, cancelled: false, buildable: false,
      executable: { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number: 1, url: `${root}/job/web/1/` },
    });
  });

  it('stays a BuildableItem while builds are stalled', async () => {
    double.stallBuilds(true);
    const id = itemId((await trigger()).headers.get('location'));
    await double.advance(5000);
    expect(await http.json(`/queue/item/${id}/api/json`)).toMatchObject({
      _class: 'hudson.model.Queue$BuildableItem', buildable: true, why: 'Waiting for next available executor', pending: false,
    });
    double.stallBuilds(false);
    await double.idle();
    expect((await http.json(`/queue/item/${id}/api/json`))._class).toBe('hudson.model.Queue$LeftItem');
  });

  it('is forgotten 5 minutes after it left the queue', async () => {
    const id = itemId((await trigger()).headers.get('location'));
    await double.advance(5000);
    await double.advance(5 * 60 * 1000 - 1);
    expect((await http.get(`/queue/item/${id}/api/json`)).status).toBe(200);
    await double.advance(1);
    expect((await http.get(`/queue/item/${id}/api/json`)).status).toBe(404);
  });

  it('is cancelled with 204 and then shows cancelled: true and no executable', async () => {
    const id = itemId((await trigger()).headers.get('location'));
    const res = await http.post(`/queue/cancelItem?id=${id}`);
    expect(res.status).toBe(204);
    expect(await http.json(`/queue/item/${id}/api/json`)).toMatchObject({ _class: 'hudson.model.Queue$LeftItem', cancelled: true, executable: null });
    await double.advance(5000);
    expect(double.builds()).toEqual([]);
  });

  it('cannot be cancelled once it has left (500), nor when unknown (404)', async () => {
    const id = itemId((await trigger()).headers.get('location'));
    await double.advance(5000);
    const late = await http.post(`/queue/cancelItem?id=${id}`);
    expect(late.status).toBe(500);
    expect(late.text).toContain(`Could not cancel run for id ${id}`);
    const unknown = await http.post('/queue/cancelItem?id=999');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Provided id (999) not found');
  });

  it('shows in the job while queued', async () => {
    const id = itemId((await trigger()).headers.get('location'));
    const job = await http.json('/job/web/api/json');
    expect(job).toMatchObject({ inQueue: true, queueItem: { _class: 'hudson.model.Queue$WaitingItem', id } });
    const queue = await http.json('/queue/api/json');
    expect(queue.items.map((i: { id: number }) => i.id)).toEqual([id]);
  });

  it('is forgotten by a restart, while the running build goes on', async () => {
    const first = itemId((await trigger()).headers.get('location'));
    await double.advance(5000);
    const second = itemId((await trigger('web-13')).headers.get('location'));
    double.restart();
    expect((await http.get(`/queue/item/${first}/api/json`)).status).toBe(404);
    expect((await http.get(`/queue/item/${second}/api/json`)).status).toBe(404);
    expect((await http.json('/job/web/1/api/json')).building).toBe(true);
    await double.advance(60_000);
    expect((await http.json('/job/web/1/api/json')).result).toBe('SUCCESS');
    expect(double.builds().map((b) => b.number)).toEqual([1]);
  });
});

describe('finding a build by its parameter after the queue item expired', () => {
  it('lists builds with their parameters through tree=', async () => {
    await trigger('web-12');
    await trigger('web-13');
    await double.advance(5000);
    await double.advance(6 * 60 * 1000);
    const job = await http.json('/job/web/api/json?tree=builds[number,result,actions[parameters[name,value]]]');
    const byExecution = Object.fromEntries(job.builds.map((b: { number: number; actions: Array<{ parameters?: Array<{ name: string; value: string }> }> }) => [
      b.actions.flatMap((a) => a.parameters ?? []).find((p) => p.name === 'EXECUTION_ID')?.value, b.number,
    ]));
    expect(byExecution).toEqual({ 'web-12': 1, 'web-13': 2 });
    // The script was generated for web-12: the build of web-13 fails its guard.
    expect(job.builds.map((b: { result: string }) => b.result)).toEqual(['FAILURE', 'SUCCESS']);
    expect(job.builds[0]).not.toHaveProperty('url');
  });

  it('shows builds as {number, url} summaries without tree=', async () => {
    await trigger();
    await double.advance(5000);
    const job = await http.json('/job/web/api/json');
    expect(job.builds).toEqual([{ _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number: 1, url: `${root}/job/web/1/` }]);
    expect(job.color).toBe('notbuilt_anime');
  });
});
