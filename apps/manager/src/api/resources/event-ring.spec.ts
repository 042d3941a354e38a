import type { KubeObject } from '@keelson/kube';
import { EventRing, type ResourceChange } from './event-ring';

const change = (id: string, name = `obj-${id}`): Omit<ResourceChange, 'seq'> => ({
  id, type: 'MODIFIED', resource: 'pipelines', namespace: 'demo', name, object: { metadata: { name, resourceVersion: id } } as KubeObject,
});
const ids = (r: ReturnType<EventRing['since']>) => ('expired' in r ? 'expired' : r.changes.map((c) => c.id));

describe('EventRing', () => {
  it('resumes right after an event it sent, whatever order the kinds came in', () => {
    const ring = new EventRing(10);
    ring.reset('100');
    for (const id of ['105', '103', '104', '110']) ring.push(change(id));
    expect(ids(ring.since('105'))).toEqual(['103', '104', '110']);
    expect(ids(ring.since('110'))).toEqual([]);
  });

  it('resumes from a list\'s version with every change above it', () => {
    const ring = new EventRing(10);
    ring.reset('100');
    for (const id of ['101', '103', '107']) ring.push(change(id));
    expect(ids(ring.since('102'))).toEqual(['103', '107']);
    expect(ids(ring.since('100'))).toEqual(['101', '103', '107']);
    expect(ids(ring.since('200'))).toEqual([]);
  });

  it('answers expired for a version older than what it holds, or not a version at all', () => {
    const ring = new EventRing(3);
    ring.reset('100');
    for (const id of ['101', '102', '103', '104', '105']) ring.push(change(id));
    expect(ids(ring.since('99'))).toBe('expired');
    expect(ids(ring.since('101'))).toBe('expired');
    expect(ids(ring.since('102'))).toEqual(['103', '104', '105']);
    expect(ids(ring.since('abc'))).toBe('expired');
    expect(ring.size).toBe(3);
  });

  it('starts over on a relist: resuming from before it must re-list', () => {
    const ring = new EventRing(10);
    ring.reset('100');
    ring.push(change('101'));
    ring.reset('150');
    expect(ids(ring.since('101'))).toBe('expired');
    expect(ids(ring.since('150'))).toEqual([]);
    expect(ring.currentId()).toBe('150');
    ring.push(change('151'));
    expect(ring.currentId()).toBe('151');
  });

  it('hands every change to its subscribers until they leave, and survives one that throws', () => {
    const ring = new EventRing(2);
    const got: string[] = [];
    ring.subscribe(() => {
      throw new Error('broken watcher');
    });
    const leave = ring.subscribe((c) => got.push(c.id));
    ring.push(change('1'));
    leave();
    ring.push(change('2'));
    expect(got).toEqual(['1']);
  });
});
