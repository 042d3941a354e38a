// The manager's pods pass Pod Security `restricted`: the chart's keelson.podSecurityContext and
// keelson.containerSecurityContext (which every Deployment of the chart uses) are rendered into a pod by a probe
// template added to a copy of the chart, and the real apiserver's Pod Security admission judges it in a namespace
// that enforces `restricted`. A pod without them is refused there, so the check is real.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { Core, KubeClient, KubeError, type KubeObject, type Pod } from '@keelson/kube';
import { ControlPlane, repoRoot, serverBinary } from '@keelson/servers';

const NAMESPACE = 'keelson-system';
const PROBE = `apiVersion: v1
kind: Pod
metadata:
  name: manager-probe
spec:
  securityContext:
    {{- include "keelson.podSecurityContext" . | nindent 4 }}
  containers:
    - name: manager
      image: {{ include "keelson.image" . }}
      securityContext:
        {{- include "keelson.containerSecurityContext" . | nindent 8 }}
`;

let cp: ControlPlane;
let kube: KubeClient;
let chartDir: string;

async function create(pod: KubeObject): Promise<{ admitted: boolean; message?: string }> {
  try {
    await kube.resource(Core.Pod).create({ ...pod, metadata: { ...pod.metadata, namespace: NAMESPACE } } as Pod);
    return { admitted: true };
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    return { admitted: false, message: err.message };
  }
}

beforeAll(async () => {
  chartDir = join(mkdtempSync(join(tmpdir(), 'keelson-chart-')), 'keelson');
  cpSync(join(repoRoot(), 'charts', 'keelson'), chartDir, { recursive: true });
  writeFileSync(join(chartDir, 'templates', 'psa-probe.yaml'), PROBE);
  cp = await ControlPlane.start({ crds: false });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } } });
  // No controller-manager here to make it; the ServiceAccount admission plugin wants one.
  await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: NAMESPACE, name: 'default' } });
}, 120_000);
afterAll(async () => {
  await cp?.stop();
  if (chartDir) rmSync(join(chartDir, '..'), { recursive: true, force: true });
});

describe('the manager pod', () => {
  it('is admitted under Pod Security restricted with the chart\'s security contexts', async () => {
    const { stdout } = await promisify(execFile)(serverBinary('helm'), ['template', 'keelson', chartDir, '--namespace', NAMESPACE, '--show-only', 'templates/psa-probe.yaml']);
    const pod = parse(stdout) as KubeObject;
    expect(await create(pod)).toEqual({ admitted: true });
    const stored = await kube.resource(Core.Pod).get(NAMESPACE, 'manager-probe');
    expect(stored.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('would be refused without them, so the namespace really enforces restricted', async () => {
    const answer = await create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain' }, spec: { containers: [{ name: 'manager', image: 'ghcr.io/keelson-dev/keelson:0.1.0' }] } });
    expect(answer.admitted).toBe(false);
    expect(answer.message).toContain('violates PodSecurity "restricted:latest"');
  });
});
