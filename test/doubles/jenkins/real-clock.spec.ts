import { waitFor } from '@keelson/servers';
import { aJob, INSTANCE, JenkinsHttp, USER } from './testing/jenkins-http';
import { startJenkinsDouble, type JenkinsDouble } from './jenkins-double';

// Without an injected clock the double runs on real time (local mode): queue timers and sleeps are real.
let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  double = await startJenkinsDouble({ credentials: async () => USER });
  http = new JenkinsHttp(double.url(INSTANCE));
  await http.post('/createItem?name=web', aJob([['sleep 0.05\necho done']]).configXml, 'application/xml');
});
afterEach(() => double.stop());

describe('the double on real time', () => {
  it('runs a build through its quiet period and its sleeps', async () => {
    await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12&delay=0sec');
    await waitFor('the build to finish', () => double.builds()[0]?.building === false, { timeoutMs: 10_000 });
    expect(double.builds()[0].result).toBe('SUCCESS');
  });

  it('cancels a waiting item and stops with items still queued', async () => {
    const res = await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12');
    const id = /\/queue\/item\/(\d+)\/$/.exec(res.headers.get('location') ?? '')?.[1];
    await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-13');
    expect((await http.post(`/queue/cancelItem?id=${id}`)).status).toBe(204);
    expect((await http.json(`/queue/item/${id}/api/json`)).cancelled).toBe(true);
  });
});
