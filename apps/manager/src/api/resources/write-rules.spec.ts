import type { KubeObject } from '@keelson/kube';
import { ApiProblem } from '../problem/api-problem';
import { EXECUTIONS, PIPELINES } from './resource-kinds';
import { checkAgainstRoute, forCreate, forUpdate } from './write-rules';

function problem(fn: () => unknown): ApiProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error('no problem');
}
const pointers = (fn: () => unknown) => problem(fn).extensions.errors!.map((e) => e.pointer);

const storedPipeline = (): KubeObject => ({
  apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline',
  metadata: {
    namespace: 'demo', name: 'web', resourceVersion: '7', finalizers: ['devops.keelson.dev/webhook'],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":1}', 'example.com/note': 'x' },
    labels: { team: 'red' },
  },
  spec: { repositoryUrl: 'https://git.example.com/a.git' },
  status: { nextRun: 4 },
});

const storedExecution = (): KubeObject => ({
  metadata: { namespace: 'demo', name: 'web-3', resourceVersion: '9', annotations: { 'keelson.dev/webhook-proof': 'proof' }, labels: { 'keelson.dev/pipeline': 'web' } },
  spec: { pipelineRef: { name: 'web' }, run: 3, branch: 'main', fork: false, stop: false },
  status: { phase: 'Running' },
});

describe('checkAgainstRoute', () => {
  it('takes a body that names what the path names, or nothing', () => {
    expect(() => checkAgainstRoute(PIPELINES, 'demo', 'web', { spec: {} })).not.toThrow();
    expect(() => checkAgainstRoute(PIPELINES, 'demo', 'web', { apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name: 'web' } })).not.toThrow();
  });

  it('refuses with 400 each field that disagrees with the path', () => {
    const p = problem(() => checkAgainstRoute(PIPELINES, 'demo', 'web', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'kube-system', name: 'other' } }));
    expect(p.status).toBe(400);
    expect(p.extensions.errors!.map((e) => e.pointer)).toEqual(['/apiVersion', '/kind', '/metadata/namespace', '/metadata/name']);
    expect(pointers(() => checkAgainstRoute(PIPELINES, 'demo', undefined, [1]))).toEqual(['']);
    expect(pointers(() => checkAgainstRoute(PIPELINES, 'demo', undefined, { metadata: 'x' }))).toEqual(['/metadata']);
  });
});

describe('forCreate', () => {
  it('sets the kind and the namespace of the path, and drops managedFields and read-only fields', () => {
    const obj = forCreate(PIPELINES, 'demo', { metadata: { name: 'web', managedFields: [{}] } as never, spec: { a: 1 }, summary: { x: 1 } } as never);
    expect(obj).toEqual({ apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web', namespace: 'demo' }, spec: { a: 1 } });
  });

  it('refuses status, finalizers, owner references and the manager\'s marks with 422', () => {
    const p = problem(() => forCreate(EXECUTIONS, 'demo', {
      metadata: {
        finalizers: ['x'], ownerReferences: [] as never,
        annotations: { 'keelson.dev/webhook-proof': 'p', 'keelson.dev/idempotency-request': 'h', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        labels: { 'keelson.dev/idempotency-key': 'k', 'keelson.dev/pipeline': 'web' },
      },
      status: { phase: 'Succeeded' },
    }));
    expect(p.status).toBe(422);
    expect(p.extensions.errors!.map((e) => e.pointer)).toEqual([
      '/status', '/metadata/finalizers', '/metadata/ownerReferences',
      '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration', '/metadata/annotations/keelson.dev~1webhook-proof',
      '/metadata/annotations/keelson.dev~1idempotency-request', '/metadata/labels/keelson.dev~1idempotency-key', '/metadata/labels/keelson.dev~1pipeline',
    ]);
  });
});

describe('forUpdate', () => {
  it('carries over what a PUT leaves out (hidden annotations, finalizers) and drops status', () => {
    const current = storedPipeline();
    const out = forUpdate(PIPELINES, current, {
      metadata: { name: 'web', namespace: 'demo', annotations: { 'example.com/note': 'y' }, labels: { team: 'blue' } },
      spec: { repositoryUrl: 'https://git.example.com/b.git' }, status: { nextRun: 4 },
    });
    expect(out).toEqual({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline',
      metadata: {
        namespace: 'demo', name: 'web', resourceVersion: '7', finalizers: ['devops.keelson.dev/webhook'], labels: { team: 'blue' },
        annotations: { 'example.com/note': 'y', 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":1}' },
      },
      spec: { repositoryUrl: 'https://git.example.com/b.git' },
    });
  });

  it('refuses a change of status, finalizers or a protected annotation', () => {
    expect(pointers(() => forUpdate(PIPELINES, storedPipeline(), {
      metadata: { finalizers: [], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, status: { nextRun: 99 },
    }))).toEqual(['/metadata/finalizers', '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration', '/status']);
  });

  it('takes a patch that leaves protected metadata out as removing it, except what the caller never saw', () => {
    const { finalizers: _f, annotations: _a, ...metadata } = storedPipeline().metadata;
    expect(pointers(() => forUpdate(PIPELINES, storedPipeline(), { metadata }, { fromPatch: true }))).toEqual(['/metadata/finalizers']);
    const out = forUpdate(PIPELINES, storedPipeline(), { metadata: { ...metadata, finalizers: ['devops.keelson.dev/webhook'] } }, { fromPatch: true });
    expect(out.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":1}' });
  });

  it('lets an execution\'s spec.stop go from false to true, and nothing else of its spec change', () => {
    const current = storedExecution();
    const stopped = forUpdate(EXECUTIONS, current, { metadata: {}, spec: { stop: true } });
    expect(stopped.spec).toEqual({ pipelineRef: { name: 'web' }, run: 3, branch: 'main', fork: false, stop: true });
    expect(stopped.metadata.annotations).toEqual({ 'keelson.dev/webhook-proof': 'proof' });
    expect(pointers(() => forUpdate(EXECUTIONS, current, { spec: { branch: 'x', run: 4, config: {} } }))).toEqual(['/spec/branch', '/spec/run', '/spec/config']);
    expect(pointers(() => forUpdate(EXECUTIONS, { ...current, spec: { ...(current.spec as object), stop: true } }, { spec: { stop: false } }))).toEqual(['/spec/stop']);
    expect(pointers(() => forUpdate(EXECUTIONS, current, { metadata: { labels: { 'keelson.dev/pipeline': 'api' } } }))).toEqual(['/metadata/labels/keelson.dev~1pipeline']);
    expect(pointers(() => forUpdate(EXECUTIONS, current, { metadata: current.metadata, spec: { pipelineRef: { name: 'web' }, run: 3, fork: false, stop: false } }, { fromPatch: true }))).toEqual(['/spec/branch']);
  });
});
