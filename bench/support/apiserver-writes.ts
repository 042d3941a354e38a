// Write requests counted by the kube-apiserver itself (`apiserver_request_total` on its /metrics), and who in
// the stack makes each kind of write. The metric has no user or user-agent label (every component here uses
// the admin kubeconfig anyway), so writers are told apart by what they write.
import type { KubeClient } from '@keelson/kube';

export const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY'];

export interface WriteKey {
  group: string;
  resource: string;
  subresource: string;
  verb: string;
}

export type WriteCounts = Map<string, number>;

export function keyOf(k: WriteKey): string {
  return [k.group, k.resource, k.subresource, k.verb].join('|');
}

export function parseKey(key: string): WriteKey {
  const [group, resource, subresource, verb] = key.split('|');
  return { group, resource, subresource, verb };
}

/** `group/resource[/subresource]`, core group spelled `core`. */
export function resourceName(k: WriteKey): string {
  return `${k.group || 'core'}/${k.resource}${k.subresource ? `/${k.subresource}` : ''}`;
}

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

export interface Snapshot {
  /** Write requests by `group|resource|subresource|verb`. */
  writes: WriteCounts;
  /** Changes stored in etcd by `group|resource`. */
  stored: WriteCounts;
}

/** One scrape, both counters. */
export async function snapshot(kube: KubeClient): Promise<Snapshot> {
  const text = await kube.raw<string>('/metrics');
  return { writes: writeRequests(text), stored: storedChanges(text) };
}

export function diffSnapshots(after: Snapshot, before: Snapshot): Snapshot {
  return { writes: diff(after.writes, before.writes), stored: diff(after.stored, before.stored) };
}

/** Write requests (any response code, dry runs excluded) so far, by group, resource, subresource and verb. */
export function writeRequests(text: string): WriteCounts {
  const counts: WriteCounts = new Map();
  for (const line of String(text).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const close = line.lastIndexOf('}');
    const l = labels(line.slice('apiserver_request_total{'.length, close));
    if (!WRITE_VERBS.includes(l.verb) || (l.dry_run ?? '') !== '') continue;
    const key = keyOf({ group: l.group ?? '', resource: l.resource ?? '', subresource: l.subresource ?? '', verb: l.verb });
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(close + 1).trim()));
  }
  return counts;
}

/**
 * Changes the apiserver stored, by group and resource (`apiserver_storage_events_received_total`: the events
 * its watch cache received from etcd, one per create, update or delete). A write request that changed nothing
 * (a no-op PATCH) is counted by apiserver_request_total but not here. Keys: `group|resource`.
 */
export function storedChanges(text: string): WriteCounts {
  const counts: WriteCounts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_storage_events_received_total{')) continue;
    const close = line.lastIndexOf('}');
    const l = labels(line.slice(line.indexOf('{') + 1, close));
    const key = `${l.group ?? ''}|${l.resource ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(close + 1).trim()));
  }
  return counts;
}

export function diff(after: WriteCounts, before: WriteCounts): WriteCounts {
  const out: WriteCounts = new Map();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) out.set(key, delta);
  }
  return out;
}

export function total(counts: WriteCounts, filter: (k: WriteKey) => boolean = () => true): number {
  let sum = 0;
  for (const [key, value] of counts) if (filter(parseKey(key))) sum += value;
  return sum;
}

export type Writer =
  | 'keelson: custom resources' | 'keelson: data plane' | 'keelson: API auth reviews (not stored)'
  | 'background: leases' | 'not keelson: build pods and cluster';

/**
 * Who makes a write, from what it writes (apps/manager, libs/data-plane, test/doubles/jenkins, KWOK, the
 * scheduler and the controller-manager read side by side):
 * - devops.keelson.dev: only the manager writes Keelson's resources (the benchmark's own setup is outside the
 *   measured window).
 * - APPLY, and writes to the kinds the data-plane applier owns (namespace, Deployments, Services, PVCs,
 *   ServiceAccounts, Secrets, RoleBindings, NetworkPolicies, ConfigMaps): the manager's data-plane reconcile.
 *   Deployments' status, ReplicaSets and their pods are the controller-manager's answer to it.
 * - TokenReviews and SubjectAccessReviews: the manager's REST API checking its caller. Create-only, nothing
 *   is stored: shown, but not counted as Keelson's writes.
 * - leases: node heartbeats from KWOK and the manager's leader Lease; both tick with time, not with runs.
 * - everything else (build pods created and annotated by the Jenkins double, pods/binding by the scheduler,
 *   pods/status by KWOK, events, endpoint slices, ReplicaSets): not Keelson's writes.
 */
export function writerOf(k: WriteKey): Writer {
  if (k.group === 'devops.keelson.dev') return 'keelson: custom resources';
  if (k.group === 'coordination.k8s.io' && k.resource === 'leases') return 'background: leases';
  if (k.group === 'authentication.k8s.io' || k.group === 'authorization.k8s.io') return 'keelson: API auth reviews (not stored)';
  if (k.verb === 'APPLY') return 'keelson: data plane';
  const dataPlaneKinds = new Set([
    '|namespaces', '|services', '|persistentvolumeclaims', '|serviceaccounts', '|secrets', '|configmaps',
    'apps|deployments', 'rbac.authorization.k8s.io|rolebindings', 'rbac.authorization.k8s.io|roles', 'networking.k8s.io|networkpolicies',
  ]);
  if (!k.subresource && dataPlaneKinds.has(`${k.group}|${k.resource}`)) return 'keelson: data plane';
  return 'not keelson: build pods and cluster';
}

export const WRITERS: Writer[] = [
  'keelson: custom resources', 'keelson: data plane', 'keelson: API auth reviews (not stored)', 'background: leases', 'not keelson: build pods and cluster',
];
