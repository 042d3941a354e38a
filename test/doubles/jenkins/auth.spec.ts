import { aDouble, aJob, INSTANCE, JenkinsHttp, USER } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let base: string;

beforeEach(async () => {
  ({ double } = await aDouble({
    credentials: async (instance) => {
      if (instance === 'not-ready') throw new Error('secret jenkins-admin not found');
      return instance === 'other-pipeline' ? { username: 'admin', password: 'other' } : USER;
    },
  }));
  base = double.url(INSTANCE);
});
afterEach(() => double.stop());

const job = aJob([['echo hi']]);
const create = (http: JenkinsHttp, name = 'web') => http.post(`/createItem?name=${name}`, job.configXml, 'application/xml');

describe('authentication', () => {
  it('answers an anonymous request with 403 "Authentication required" and the X-Jenkins header', async () => {
    const res = await new JenkinsHttp(base).request('GET', '/api/json', { auth: false });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Authentication required');
    expect(res.headers.get('x-jenkins')).toBe('2.516.3');
    expect(res.headers.get('x-you-are-authenticated-as')).toBe('anonymous');
  });

  it('answers a wrong password or an unknown user with 401', async () => {
    const wrong = await new JenkinsHttp(base, USER.username, 'nope').get('/api/json');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(`Invalid password/token for user: ${USER.username}`);
    expect((await new JenkinsHttp(base, 'mallory', USER.password).get('/api/json')).status).toBe(401);
  });

  it('serves GET / and /api/json with the Jenkins version header', async () => {
    const http = new JenkinsHttp(base);
    const root = await http.get('/');
    expect(root.status).toBe(200);
    expect(root.headers.get('x-jenkins')).toBe('2.516.3');
    const api = await http.get('/api/json');
    expect(api.headers.get('x-jenkins')).toBe('2.516.3');
    expect(api.json()).toMatchObject({ _class: 'hudson.model.Hudson', useCrumbs: true, useSecurity: true, url: `${base}/`, jobs: [] });
  });

  it('lets a POST authenticated with the API token through without a crumb', async () => {
    expect((await create(new JenkinsHttp(base))).status).toBe(200);
  });

  it('refuses a POST authenticated with the password and no crumb', async () => {
    const res = await create(JenkinsHttp.withPassword(base));
    expect(res.status).toBe(403);
    expect(res.text).toContain('No valid crumb was included in the request');
  });

  it('accepts the crumb only together with the session cookie of the crumb request', async () => {
    const auth = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
    const crumbOf = async () => {
      const res = await fetch(`${base}/crumbIssuer/api/json`, { headers: { Authorization: auth } });
      expect(res.headers.get('set-cookie')).toMatch(/^JSESSIONID\.[0-9a-f]{8}=[^;]+; Path=\/team-a-pipeline; HttpOnly$/);
      const body = await res.json() as { crumb: string };
      expect(body).toEqual({ _class: 'hudson.security.csrf.DefaultCrumbIssuer', crumb: expect.stringMatching(/^[0-9a-f]{64}$/), crumbRequestField: 'Jenkins-Crumb' });
      return { crumb: body.crumb, cookie: (res.headers.get('set-cookie') as string).split(';')[0] };
    };
    const post = (name: string, headers: Record<string, string>) => fetch(`${base}/createItem?name=${name}`, {
      method: 'POST', body: job.configXml, headers: { 'Content-Type': 'application/xml', Authorization: auth, ...headers },
    });
    const first = await crumbOf();
    const second = await crumbOf();
    expect((await post('a', { 'Jenkins-Crumb': first.crumb })).status).toBe(403);
    expect((await post('b', { 'Jenkins-Crumb': first.crumb, Cookie: second.cookie })).status).toBe(403);
    expect((await post('c', { 'Jenkins-Crumb': first.crumb, Cookie: first.cookie })).status).toBe(200);
    // The crumb may also come as a request parameter.
    expect((await post('d&Jenkins-Crumb=' + second.crumb, { Cookie: second.cookie })).status).toBe(200);
  });

  it('forgets sessions and crumbs on restart', async () => {
    const http = JenkinsHttp.withPassword(base);
    await http.fetchCrumb();
    expect((await create(http, 'one')).status).toBe(200);
    double.restart();
    expect((await create(http, 'two')).status).toBe(403);
    await http.fetchCrumb();
    expect((await create(http, 'two')).status).toBe(200);
  });
});

describe('instances by context path', () => {
  it('keeps jobs apart and authenticates each instance with its own user', async () => {
    await create(new JenkinsHttp(base));
    const other = new JenkinsHttp(double.url('other-pipeline'), 'admin', 'other');
    expect((await other.get('/job/web/api/json')).status).toBe(404);
    expect((await new JenkinsHttp(double.url('other-pipeline')).get('/api/json')).status).toBe(401);
    expect((await new JenkinsHttp(base).get('/job/web/api/json')).status).toBe(200);
    expect(double.instanceNames().sort()).toEqual(['other-pipeline', INSTANCE].sort());
  });

  it('answers 503 for an instance whose credentials cannot be read yet', async () => {
    const res = await new JenkinsHttp(double.url('not-ready')).get('/api/json');
    expect(res.status).toBe(503);
  });

  it('answers 404 at the server root, outside any instance', async () => {
    expect((await fetch(`${double.url()}/`)).status).toBe(404);
  });
});

describe('fault controls', () => {
  it('answers 503 to everything while unavailable', async () => {
    const http = new JenkinsHttp(base);
    double.unavailable(true);
    expect((await http.get('/api/json')).status).toBe(503);
    expect((await create(http)).status).toBe(503);
    double.unavailable(false);
    expect((await http.get('/api/json')).status).toBe(200);
  });

  it('fails only the next matching request with the given status', async () => {
    const http = new JenkinsHttp(base);
    double.failNext('POST', /\/createItem$/, 502);
    expect((await http.get('/api/json')).status).toBe(200);
    expect((await create(http)).status).toBe(502);
    expect((await create(http)).status).toBe(200);
  });

  it('counts requests by method and route', async () => {
    const http = new JenkinsHttp(base);
    await create(http);
    await http.get('/job/web/api/json');
    await http.get('/job/web/api/json?tree=name');
    await http.get('/nowhere');
    expect(double.requestCount('GET', '/job/{job}/api/json')).toBe(2);
    expect(double.requestCount('POST', '/createItem')).toBe(1);
    expect(double.requests['GET (unmatched)']).toBe(1);
  });
});
