import { aDouble, type JenkinsHttp } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  ({ double, http } = await aDouble());
});
afterEach(() => double.stop());

const DOMAIN = '/credentials/store/system/domain/_';
const USERPASS = 'com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl';
const xml = (id: string, password = 's3cret') =>
  `<${USERPASS}><scope>GLOBAL</scope><id>${id}</id><description>git of web</description><username>bot</username><password>${password}</password></${USERPASS}>`;
const create = (body: string) => http.post(`${DOMAIN}/createCredentials`, body, 'application/xml');

describe('the credentials store', () => {
  it('creates a credential from XML with 200, and refuses a second one with the same id with 409', async () => {
    expect((await create(xml('team-a-web-git'))).status).toBe(200);
    expect((await create(xml('team-a-web-git', 'other'))).status).toBe(409);
  });

  it('answers 5xx for XML it cannot read', async () => {
    const res = await create('<not-closed>');
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.text).toContain('Failed to parse credential');
  });

  it('answers 400 without a Content-Type', async () => {
    const res = await http.request('POST', `${DOMAIN}/createCredentials`, { body: Buffer.from(xml('x')) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('No Content-Type header set');
  });

  it('lists ids with tree=credentials[id], and shows nothing of them without tree=', async () => {
    await create(xml('a'));
    await create(xml('b'));
    expect(await http.json(`${DOMAIN}/api/json?tree=credentials[id]`)).toEqual({
      _class: 'com.cloudbees.plugins.credentials.CredentialsStoreAction$DomainWrapper',
      credentials: [
        { _class: 'com.cloudbees.plugins.credentials.CredentialsStoreAction$CredentialsWrapper', id: 'a' },
        { _class: 'com.cloudbees.plugins.credentials.CredentialsStoreAction$CredentialsWrapper', id: 'b' },
      ],
    });
    expect((await http.json(`${DOMAIN}/api/json`)).credentials).toEqual([{}, {}]);
  });

  it('serves config.xml with the secret redacted, and updates it with POST', async () => {
    await create(xml('git'));
    const read = await http.get(`${DOMAIN}/credential/git/config.xml`);
    expect(read.headers.get('content-type')).toContain('application/xml');
    expect(read.text).toContain('<username>bot</username>');
    expect(read.text).toContain('<password>\n    <secret-redacted/>\n  </password>');
    expect(read.text).not.toContain('s3cret');
    expect((await http.post(`${DOMAIN}/credential/git/config.xml`, xml('git').replace('bot', 'robot'), 'application/xml')).status).toBe(200);
    expect((await http.get(`${DOMAIN}/credential/git/config.xml`)).text).toContain('<username>robot</username>');
    expect((await http.get(`${DOMAIN}/credential/nope/config.xml`)).status).toBe(404);
  });

  it('takes the json form, answering in JSON when asked', async () => {
    const form = new URLSearchParams({ json: JSON.stringify({ credentials: { scope: 'GLOBAL', id: 'f', username: 'u', password: 'p', $class: USERPASS } }) }).toString();
    const post = () => http.request('POST', `${DOMAIN}/createCredentials`, { body: form, contentType: 'application/x-www-form-urlencoded', headers: { Accept: 'application/json' } });
    expect((await post()).json()).toEqual({ message: 'Credentials created', notificationType: 'SUCCESS' });
    const again = await post();
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ notificationType: 'ERROR', message: expect.stringContaining('already exist') });
    const redirected = await http.request('POST', `${DOMAIN}/createCredentials`, { body: form.replace('%22f%22', '%22g%22'), contentType: 'application/x-www-form-urlencoded' });
    expect(redirected.status).toBe(302);
    expect((await http.get(new URL(redirected.headers.get('location') as string).pathname.replace('/team-a-pipeline', ''))).status).toBe(200);
  });

  it('deletes a credential with doDelete', async () => {
    await create(xml('gone'));
    expect((await http.post(`${DOMAIN}/credential/gone/doDelete`)).status).toBe(302);
    expect((await http.get(`${DOMAIN}/credential/gone/config.xml`)).status).toBe(404);
  });
});
