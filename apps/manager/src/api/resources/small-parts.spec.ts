import { ApiProblem } from '../problem/api-problem';
import { etagOf, noneMatch, parseIfMatch, writePrecondition } from './etag';
import { decodeCursor, encodeCursor } from './list-cursor';
import { lastExecutionOf } from './pipeline-summary';
import { present } from './present';
import { PIPELINES } from './resource-kinds';

describe('ETag and preconditions', () => {
  it('quotes the resourceVersion and reads it back from If-Match', () => {
    expect(etagOf('42')).toBe('"42"');
    expect(parseIfMatch('"42"')).toBe('42');
    expect(parseIfMatch(' * ')).toBe('*');
    expect(parseIfMatch(undefined)).toBeUndefined();
    for (const bad of ['42', 'W/"42"', '"42", "43"', '"a"']) expect(() => parseIfMatch(bad)).toThrow(ApiProblem);
  });

  it('matches If-None-Match, weak or strong', () => {
    expect(noneMatch('W/"42"', '42')).toBe(true);
    expect(noneMatch('"41", "42"', '42')).toBe(true);
    expect(noneMatch('"41"', '42')).toBe(false);
  });

  it('wants If-Match and metadata.resourceVersion to agree', () => {
    expect(writePrecondition('"5"', undefined)).toBe('5');
    expect(writePrecondition(undefined, '5')).toBe('5');
    expect(writePrecondition('*', undefined)).toBeUndefined();
    expect(() => writePrecondition('"5"', '6')).toThrow(ApiProblem);
  });
});

describe('continue tokens', () => {
  it('round-trip, and refuse anything else with 400 naming the parameter', () => {
    const keyset = { k: 'keyset', t: 1000, ns: 'demo', n: 'web-1' } as const;
    expect(decodeCursor(encodeCursor(keyset), 'keyset')).toEqual(keyset);
    expect(decodeCursor(encodeCursor({ k: 'apiserver', ns: 'demo', c: 'abc' }), 'apiserver')).toEqual({ k: 'apiserver', ns: 'demo', c: 'abc' });
    for (const bad of ['', 'not base64 json', encodeCursor(keyset).slice(2), Buffer.from('{"k":"keyset","t":1,"ns":"../x","n":"a"}').toString('base64url')]) {
      expect(() => decodeCursor(bad, 'keyset')).toThrow(ApiProblem);
    }
    expect(() => decodeCursor(encodeCursor(keyset), 'apiserver')).toThrow(ApiProblem);
  });
});

describe('present', () => {
  it('drops managedFields and hidden annotations, and never touches the cached object', () => {
    const cached = {
      metadata: { name: 'web', managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'keelson.dev/webhook-proof': 'p' } },
      spec: { a: 1 },
    };
    const shown = present(PIPELINES, cached);
    expect(shown).toEqual({ apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web' }, spec: { a: 1 } });
    expect(cached.metadata.managedFields).toHaveLength(1);
    expect(Object.keys(cached.metadata.annotations)).toHaveLength(2);
  });
});

describe('lastExecutionOf', () => {
  it('sums up an execution: run, phase, branch or tag, commit title, start and duration', () => {
    expect(lastExecutionOf({
      metadata: { name: 'web-4' },
      spec: { run: 4, tag: 'v1.0', commit: 'c'.repeat(40), message: 'Fix it\n\nlong body' },
      status: { phase: 'Succeeded', startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:01:30Z' },
    })).toEqual({
      name: 'web-4', run: 4, phase: 'Succeeded', branch: 'v1.0', commit: 'c'.repeat(40), title: 'Fix it',
      startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:01:30Z', durationSeconds: 90,
    });
    expect(lastExecutionOf({ metadata: { name: 'web-5' }, spec: {} })).toEqual({ name: 'web-5', phase: 'Pending', durationSeconds: null });
    // The stages, name and phase only (no steps, logs or messages), for the pipelines list's mini strip.
    expect(lastExecutionOf({
      metadata: { name: 'web-6' }, spec: {},
      status: { phase: 'Running', stages: [{ name: 'build', phase: 'Succeeded', steps: [{ name: 'a', phase: 'Succeeded', message: 'x' }] }, { name: 'test', phase: 'Running', steps: [] }] },
    } as never)?.stages).toEqual([{ name: 'build', phase: 'Succeeded' }, { name: 'test', phase: 'Running' }]);
    expect(lastExecutionOf(undefined)).toBeNull();
  });
});
