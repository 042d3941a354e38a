import type { KubeObject } from '@keelson/kube';
import type { ResourceChange } from './event-ring';
import { parseLabelSelector } from './label-selector';
import { selectChange, type WatchScope } from './watch-filter';

function change(type: ResourceChange['type'], labels: Record<string, string>, o: { oldLabels?: Record<string, string>; namespace?: string; resource?: string; pipeline?: string } = {}): ResourceChange {
  return {
    id: '1', seq: 1, type, resource: o.resource ?? 'pipelineexecutions', namespace: o.namespace ?? 'demo', name: 'x',
    object: { metadata: { name: 'x', namespace: o.namespace ?? 'demo', labels }, spec: { pipelineRef: { name: o.pipeline ?? 'web' } } } as KubeObject,
    ...(o.oldLabels && { oldLabels: o.oldLabels }),
  };
}

describe('selectChange', () => {
  const scope: WatchScope = { resources: new Set(['pipelineexecutions']), namespace: 'demo', selector: parseLabelSelector('team=red'), filters: {} };

  it('sends an object entering the selection as ADDED, staying as MODIFIED, leaving as DELETED', () => {
    expect(selectChange(scope, change('MODIFIED', { team: 'red' }, { oldLabels: { team: 'blue' } }))).toBe('ADDED');
    expect(selectChange(scope, change('MODIFIED', { team: 'red' }, { oldLabels: { team: 'red' } }))).toBe('MODIFIED');
    expect(selectChange(scope, change('MODIFIED', { team: 'blue' }, { oldLabels: { team: 'red' } }))).toBe('DELETED');
    expect(selectChange(scope, change('MODIFIED', { team: 'blue' }, { oldLabels: { team: 'blue' } }))).toBeUndefined();
    expect(selectChange(scope, change('ADDED', { team: 'red' }))).toBe('ADDED');
    expect(selectChange(scope, change('DELETED', { team: 'blue' }))).toBeUndefined();
  });

  it('keeps to its kinds, its namespace and its filters', () => {
    const open: WatchScope = { resources: new Set(['pipelineexecutions']), filters: { pipeline: 'web' } };
    expect(selectChange(open, change('ADDED', {}, { namespace: 'other' }))).toBe('ADDED');
    expect(selectChange(open, change('ADDED', {}, { pipeline: 'api' }))).toBeUndefined();
    expect(selectChange(open, change('ADDED', {}, { resource: 'pipelines' }))).toBeUndefined();
    expect(selectChange(scope, change('ADDED', { team: 'red' }, { namespace: 'other' }))).toBeUndefined();
  });
});
