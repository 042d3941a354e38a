// The environment a manager pod of the chart gets, resolved from the rendered objects as the kubelet would:
// envFrom the ConfigMap and Secret, then env (the downward API filled in for the pod given). Tests that start the
// manager as a process "with the chart's settings" take it from here, so they cannot drift from the chart.
import type { K8sObject } from './helm';

export interface PodIdentity {
  name: string;
  namespace: string;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/**
 * The environment of the manager container of Deployment `deployment`. A secretRef to a Secret the chart did not
 * render (manager.existingSecret) must be given in `secrets` (name -> key -> value).
 */
export function managerEnvironment(objects: K8sObject[], deployment: string, pod: PodIdentity, secrets: Record<string, Record<string, string>> = {}): Record<string, string> {
  const d = find(objects, 'Deployment', deployment);
  if (!d) throw new Error(`the chart rendered no Deployment ${deployment}`);
  const container = d.spec.template.spec.containers.find((c: { name: string }) => c.name === 'manager');
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = find(objects, 'ConfigMap', source.configMapRef.name);
      if (!map) throw new Error(`envFrom names ConfigMap ${source.configMapRef.name}, which the chart did not render`);
      Object.assign(env, map.data ?? {});
    } else if (source.secretRef) {
      const secret = find(objects, 'Secret', source.secretRef.name);
      const data = secret
        ? Object.fromEntries(Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
        : secrets[source.secretRef.name];
      if (!data) throw new Error(`envFrom names Secret ${source.secretRef.name}: pass its keys, the chart did not render it`);
      Object.assign(env, data);
    }
  }
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef && fields[e.valueFrom.fieldRef.fieldPath] !== undefined) env[e.name] = fields[e.valueFrom.fieldRef.fieldPath];
    else throw new Error(`env ${e.name} of ${deployment} comes from ${JSON.stringify(e.valueFrom)}, which this resolver does not know`);
  }
  return env;
}
