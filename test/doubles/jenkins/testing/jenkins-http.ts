// A bare HTTP helper for the double's own tests: Basic auth, an optional crumb with its session cookie, no
// redirects followed. Deliberately not the engine client, which is tested against the double separately.
import { FakeClock } from '@keelson/kube';
import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { startJenkinsDouble, type JenkinsDouble, type JenkinsDoubleOptions } from '../jenkins-double';

export const USER = { username: 'keelson-manager', password: 'pa55word', apiToken: '11aabbccddeeff00112233445566778899' };
export const INSTANCE = 'team-a-pipeline';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T;
}

export class JenkinsHttp {
  private crumb?: { value: string; cookie: string };

  constructor(readonly base: string, private readonly user = USER.username, private readonly secret: string = USER.apiToken) {}

  /** Use the password (crumb needed) instead of the API token. */
  static withPassword(base: string): JenkinsHttp {
    return new JenkinsHttp(base, USER.username, USER.password);
  }

  async fetchCrumb(): Promise<void> {
    const res = await this.request('GET', '/crumbIssuer/api/json');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    this.crumb = { value: res.json().crumb, cookie };
  }

  async request(method: string, path: string, opts: { body?: string | Buffer; contentType?: string; headers?: Record<string, string>; auth?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth !== false) headers.Authorization = `Basic ${Buffer.from(`${this.user}:${this.secret}`).toString('base64')}`;
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    if (this.crumb && method === 'POST') {
      headers['Jenkins-Crumb'] = this.crumb.value;
      headers.Cookie = this.crumb.cookie;
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body: opts.body, redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, body?: string, contentType?: string): Promise<Answer> {
    return this.request('POST', path, { body, contentType });
  }

  async json<T = any>(path: string): Promise<T> {
    const res = await this.get(path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    return res.json<T>();
  }
}

/** A compiled Keelson job whose steps run `scripts` (one stage per entry, one step per script). */
export function aJob(stages: Array<Array<string | { approval: string } | { script: string; when?: string }>>, executionId = 'web-12') {
  const yaml = ['stages:', ...stages.flatMap((steps, i) => [
    `- name: s${i}`,
    '  steps:',
    ...steps.map((s) => {
      if (typeof s === 'object' && 'approval' in s) return `  - approval: {message: ${JSON.stringify(s.approval)}}`;
      const script = typeof s === 'string' ? s : s.script;
      const when = typeof s === 'object' && 'when' in s && s.when ? `\n    when: {branch: ${s.when}}` : '';
      return `  - runScriptConfig: {image: alpine, shellScript: ${JSON.stringify(script)}}${when}`;
    }),
  ])].join('\n');
  return compileJenkinsJob(aCompileInput(yaml, { facts: { executionId } }));
}

export async function aDouble(overrides: Partial<JenkinsDoubleOptions> = {}): Promise<{ double: JenkinsDouble; clock: FakeClock; http: JenkinsHttp }> {
  const clock = new FakeClock();
  const double = await startJenkinsDouble({ credentials: async () => USER, clock, quietPeriodSeconds: 0, ...overrides });
  return { double, clock, http: new JenkinsHttp(double.url(INSTANCE)) };
}
