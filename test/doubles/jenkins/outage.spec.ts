import { request } from 'node:http';
import { aJob, INSTANCE, JenkinsHttp, USER } from './testing/jenkins-http';
import { startJenkinsDouble, type JenkinsDouble } from './jenkins-double';

// Outages as a client's network sees them: a closed listener, a listener that never answers, 503s.
let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  double = await startJenkinsDouble({ credentials: async () => USER });
  http = new JenkinsHttp(double.url(INSTANCE));
  await http.post('/createItem?name=web', aJob([['echo done']]).configXml, 'application/xml');
});
afterEach(() => double.stop());

/** One GET of the login page with a deadline: its status, or the network error's code. */
function probe(url: string, timeoutMs = 500): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${url}/login`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    req.end();
  });
}

describe('the double\'s outages', () => {
  it('refuses connections while its listener is closed, then answers again on the same port', async () => {
    const url = double.url(INSTANCE);
    expect(await probe(url)).toBe(200);
    await double.outage('refused');
    expect(await probe(url)).toBe('ECONNREFUSED');
    await double.outage();
    expect(double.url(INSTANCE)).toBe(url);
    expect(await probe(url)).toBe(200);
  });

  it('accepts connections but never answers while unanswered, counting what it left unanswered', async () => {
    await double.outage('unanswered');
    expect(await probe(double.url(INSTANCE), 300)).toBe('TIMEOUT');
    expect(double.requestCount('GET', '(unanswered)')).toBe(1);
    await double.outage();
    expect(await probe(double.url(INSTANCE))).toBe(200);
  });

  it('goes from one outage to the next and keeps its builds', async () => {
    await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-1&delay=0sec');
    await double.outage('refused');
    await double.outage('unanswered');
    double.unavailable(true);
    await double.outage();
    expect(await probe(double.url(INSTANCE))).toBe(503);
    double.unavailable(false);
    expect(await probe(double.url(INSTANCE))).toBe(200);
    expect(double.builds().map((b) => b.params.EXECUTION_ID)).toEqual(['web-1']);
  });

  it('stops while its listener is closed', async () => {
    await double.outage('refused');
    await expect(double.stop()).resolves.toBeUndefined();
  });
});
