import { Writable } from 'node:stream';
import { createLogger, logLevelControl, silentLogger } from './logger';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, stream };
}

describe('the log level control', () => {
  it('changes the level of the logger and of the children it made before the change', () => {
    const { lines, stream } = capture();
    const root = createLogger({ level: 'info', destination: stream });
    const child = root.child({ component: 'sync' }).child({ jobId: 'j1' });
    child.debug({}, 'hidden at info');
    logLevelControl(root)!.set('debug');
    child.debug({}, 'shown at debug');
    logLevelControl(root)!.set('error');
    child.warn({}, 'hidden at error');
    root.error({}, 'shown at error');
    expect(lines.map((l) => l.msg)).toEqual(['shown at debug', 'shown at error']);
    expect(lines[0]).toMatchObject({ component: 'sync', jobId: 'j1', level: 20 });
    expect(logLevelControl(root)!.level).toBe('error');
  });

  it('starts at the level asked for and refuses a level it does not know', () => {
    const { lines, stream } = capture();
    const root = createLogger({ level: 'warn', destination: stream });
    root.info({}, 'hidden');
    root.warn({}, 'shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    expect(() => logLevelControl(root)!.set('loud' as never)).toThrow(/unknown log level loud/);
  });

  it('is absent for a logger createLogger did not make', () => {
    expect(logLevelControl(silentLogger)).toBeUndefined();
  });
});
