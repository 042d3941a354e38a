import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { aDouble, aJob, type JenkinsHttp } from './testing/jenkins-http';
import type { JenkinsDouble } from './jenkins-double';

let double: JenkinsDouble;
let http: JenkinsHttp;

beforeEach(async () => {
  ({ double, http } = await aDouble());
});
afterEach(() => double.stop());

const RUN = '/job/web/1';

async function run(script: string, opts: { stallFirst?: boolean } = {}): Promise<void> {
  await http.post('/createItem?name=web', aJob([[script]]).configXml, 'application/xml');
  if (opts.stallFirst) double.stallBuilds(true, { queue: false });
  await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12');
  await double.idle();
}

const progressive = (start: number) => http.get(`${RUN}/logText/progressiveText?start=${start}`);

describe('logText/progressiveText', () => {
  it('answers X-Text-Size 0 with more to come before the build has written anything', async () => {
    await run('echo hi', { stallFirst: true });
    const res = await progressive(0);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('x-text-size')).toBe('0');
    expect(res.headers.get('x-more-data')).toBe('true');
    double.stallBuilds(false);
    await double.idle();
    expect((await progressive(0)).text).toContain('Finished: SUCCESS');
  });

  it('streams from an offset with X-More-Data: true while running, and drops the header once finished', async () => {
    await run('echo first\nsleep 10\necho second');
    const one = await progressive(0);
    expect(one.headers.get('content-type')).toBe('text/plain;charset=utf-8');
    expect(one.headers.get('x-more-data')).toBe('true');
    expect(one.text).toContain('[step-0-0 step-1] first\n');
    expect(one.text).not.toContain('second');
    const next = Number(one.headers.get('x-text-size'));

    const nothingNew = await progressive(next);
    expect(nothingNew.text).toBe('');
    expect(nothingNew.headers.get('x-text-size')).toBe(String(next));
    expect(nothingNew.headers.get('x-more-data')).toBe('true');

    await double.advance(10_000);
    const two = await progressive(next);
    expect(two.text).toContain('[step-0-0 step-1] second\n');
    expect(two.text).not.toContain('first');
    expect(two.text).toMatch(/Finished: SUCCESS\n$/);
    expect(two.headers.has('x-more-data')).toBe(false);
    expect((await progressive(Number(two.headers.get('x-text-size')))).text).toBe('');
  });

  it('counts offsets in raw bytes, hidden console notes included, so the text length is not the next offset', async () => {
    await run('echo hi');
    const res = await progressive(0);
    expect(res.text).not.toContain('\u001b');
    expect(Number(res.headers.get('x-text-size'))).toBeGreaterThan(Buffer.byteLength(res.text));
    // Resuming from the text length instead of X-Text-Size reads the log from the wrong place.
    expect((await progressive(Buffer.byteLength(res.text))).text).not.toBe('');
  });

  it('starts over from 0 when asked for an offset past the end', async () => {
    await run('echo hi');
    const all = await progressive(0);
    expect((await progressive(Number(all.headers.get('x-text-size')) + 100)).text).toBe(all.text);
  });

  it('compresses a log over 4 KiB for a client that accepts gzip', async () => {
    await run(Array.from({ length: 200 }, (_, i) => `echo line-${i}-${'x'.repeat(20)}`).join('\n'));
    const raw = await http.request('GET', `${RUN}/logText/progressiveText?start=0`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(raw.text).toContain('line-199-');
  });

  it('serves progressiveHtml the same way, HTML-escaped and with X-ConsoleAnnotator', async () => {
    await run('echo "<tag>"');
    const html = await http.get(`${RUN}/logText/progressiveHtml?start=0`);
    const text = await progressive(0);
    expect(html.headers.get('x-text-size')).toBe(text.headers.get('x-text-size'));
    expect(html.headers.get('x-consoleannotator')).toBeTruthy();
    expect(html.text).toContain('&lt;tag&gt;');
    expect(html.text).not.toContain('<tag>');
  });

  it('serves the whole plain text at consoleText', async () => {
    await run('echo hi');
    const text = (await http.get(`${RUN}/consoleText`)).text;
    expect(text).toBe((await progressive(0)).text);
  });
});

describe('wfapi/log of a flow node', () => {
  async function nodes(): Promise<{ stage: { id: string }; sh: { id: string; _links: { log: { href: string } } } }> {
    const described = await http.json(`${RUN}/wfapi/describe`);
    const stage = described.stages.find((s: { name: string }) => s.name.startsWith('step-0-0'));
    const node = await http.json(`${RUN}/execution/node/${stage.id}/wfapi/describe`);
    return { stage, sh: node.stageFlowNodes.find((n: { name: string }) => n.name === 'Shell Script') };
  }

  it('answers the step output HTML-escaped, with its console URL', async () => {
    await run('echo "<b>&</b>"');
    const { sh } = await nodes();
    expect(sh._links.log.href).toBe(`/team-a-pipeline${RUN}/execution/node/${sh.id}/wfapi/log`);
    const log = await http.json(`${RUN}/execution/node/${sh.id}/wfapi/log`);
    const text = '+ echo "&lt;b&gt;&amp;&lt;/b&gt;"\n&lt;b&gt;&amp;&lt;/b&gt;\n';
    expect(log).toEqual({
      nodeId: sh.id, nodeStatus: 'SUCCESS', length: Buffer.byteLength('+ echo "<b>&</b>"\n<b>&</b>\n'), hasMore: false, text,
      consoleUrl: `/team-a-pipeline${RUN}/execution/node/${sh.id}/log`,
    });
  });

  it('keeps only the last 10 KiB, with hasMore', async () => {
    await run(Array.from({ length: 400 }, (_, i) => `echo line-${String(i).padStart(3, '0')}-${'y'.repeat(30)}`).join('\n'));
    const { sh } = await nodes();
    const log = await http.json(`${RUN}/execution/node/${sh.id}/wfapi/log`);
    expect(log.hasMore).toBe(true);
    expect(log.length).toBe(10 * 1024);
    expect(log.text).toMatch(/line-399-y+\n$/);
    expect(log.text).not.toContain('line-000-');
  });

  it('reports SUCCESS for a step that is still running, and has no text for a stage node', async () => {
    await run('echo a\nsleep 100');
    const { stage, sh } = await nodes();
    expect((await http.json(`${RUN}/execution/node/${sh.id}/wfapi/log`)).nodeStatus).toBe('SUCCESS');
    expect(await http.json(`${RUN}/execution/node/${stage.id}/wfapi/log`)).toEqual({ nodeId: stage.id, nodeStatus: 'SUCCESS', length: 0, hasMore: false });
    expect((await http.get(`${RUN}/execution/node/9999/wfapi/log`)).status).toBe(404);
  });
});

describe('progressiveText of a flow node', () => {
  async function stepNodes(): Promise<{ stage: string; logs: string[] }> {
    const described = await http.json(`${RUN}/wfapi/describe`);
    const stage = described.stages.find((s: { name: string }) => s.name.startsWith('step-0-0'));
    const node = await http.json(`${RUN}/execution/node/${stage.id}/wfapi/describe`);
    return { stage: stage.id, logs: node.stageFlowNodes.filter((n: { _links: { log?: unknown } }) => n._links.log).map((n: { id: string }) => n.id) };
  }
  const nodeLog = (id: string, start: number) => http.get(`${RUN}/execution/node/${id}/log/logText/progressiveText?start=${start}`);

  it('streams the node\'s own output from an offset, with X-More-Data only while the node runs', async () => {
    await run('echo first\nsleep 10\necho second');
    const { logs: [sh] } = await stepNodes();
    const one = await nodeLog(sh, 0);
    expect(one.text).toBe('+ echo first\nfirst\n+ sleep 10\n');
    expect(one.headers.get('x-more-data')).toBe('true');
    const next = Number(one.headers.get('x-text-size'));
    expect(next).toBe(Buffer.byteLength(one.text));
    expect((await nodeLog(sh, next)).text).toBe('');
    await double.advance(10_000);
    const two = await nodeLog(sh, next);
    expect(two.text).toBe('+ echo second\nsecond\n');
    expect(two.headers.has('x-more-data')).toBe(false);
  });

  it('answers 404 for a node without a log (the step\'s stage)', async () => {
    await run('echo hi');
    const { stage } = await stepNodes();
    expect((await nodeLog(stage, 0)).status).toBe(404);
  });

  it('prints a line N times for `yes text | head -n N`, and tells listeners of each line as it is written', async () => {
    const seen: string[] = [];
    double.onOutput((line) => seen.push(`${line.job}#${line.number} ${line.text}`));
    await run('yes "a line of output" | head -n 3000');
    const { logs: [sh] } = await stepNodes();
    const res = await nodeLog(sh, 0);
    expect(res.text).toBe(`+ yes "a line of output" | head -n 3000\n${'a line of output\n'.repeat(3000)}`);
    const step = seen.slice(seen.indexOf('web#1 + yes "a line of output" | head -n 3000'));
    expect(step).toHaveLength(3001);
    expect(step[1]).toBe('web#1 a line of output');
  });

  it('gives each attempt of a retried step its own node and log', async () => {
    const job = compileJenkinsJob(aCompileInput(`stages:
- name: flaky
  steps:
  - runScriptConfig: {image: alpine, shellScript: "echo try\\nexit 1"}
    retry: 2
`, { facts: { executionId: 'web-12' } }));
    await http.post('/createItem?name=web', job.configXml, 'application/xml');
    await http.post('/job/web/buildWithParameters?EXECUTION_ID=web-12');
    await double.idle();
    const { logs } = await stepNodes();
    expect(logs).toHaveLength(3); // retry: 2 is two retries after the first attempt
    for (const id of logs) expect((await nodeLog(id, 0)).text).toBe('+ echo try\ntry\n+ exit 1\n');
  });
});
